import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The engine's Prometheus metrics (one registry per engine instance, so tests can run several). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly eventsReceived = new Counter({
    name: 'switchboard_events_received_total',
    help: 'ACS callbacks and Event Grid events received, by type',
    labelNames: ['type'],
    registers: [this.registry],
  });
  readonly duplicatesDropped = new Counter({
    name: 'switchboard_events_duplicate_total',
    help: 'Events acknowledged without effect because their id was already applied',
    registers: [this.registry],
  });
  readonly eventsIgnored = new Counter({
    name: 'switchboard_events_ignored_total',
    help: 'Events for unknown or finished runs (acknowledged, logged)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly stepLatency = new Histogram({
    name: 'switchboard_step_latency_seconds',
    help: 'Callback received → resulting actions sent to ACS',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly acsErrors = new Counter({
    name: 'switchboard_acs_errors_total',
    help: 'ACS requests that failed, by HTTP status and ACS error code',
    labelNames: ['status', 'code'],
    registers: [this.registry],
  });
  readonly actionsSent = new Counter({
    name: 'switchboard_actions_sent_total',
    help: 'Actions sent to ACS, by kind and path (inline after commit, or the outbox dispatcher)',
    labelNames: ['kind', 'path'],
    registers: [this.registry],
  });
  readonly activeRuns = new Gauge({
    name: 'switchboard_active_runs',
    help: 'Runs in status running; test="true" for test calls',
    labelNames: ['test'],
    registers: [this.registry],
  });
  readonly runsStarted = new Counter({
    name: 'switchboard_runs_started_total',
    help: 'Runs started, by direction; test="true" for test calls',
    labelNames: ['direction', 'test'],
    registers: [this.registry],
  });
  readonly runsEnded = new Counter({
    name: 'switchboard_runs_ended_total',
    help: 'Runs ended, by end reason; test="true" for test calls',
    labelNames: ['reason', 'test'],
    registers: [this.registry],
  });
  readonly deadLetters = new Counter({
    name: 'switchboard_dead_letters_total',
    help: 'Inbound events parked in the dead-letter table (never applied), by source',
    labelNames: ['source'],
    registers: [this.registry],
  });
  readonly outboxBacklog = new Gauge({
    name: 'switchboard_outbox_backlog',
    help: 'Committed actions not yet marked sent',
    registers: [this.registry],
  });

  readonly retentionLastRun = new Gauge({
    name: 'switchboard_retention_last_run_timestamp_seconds',
    help: 'When this engine last finished a retention round (0: never; one replica prunes at a time)',
    registers: [this.registry],
  });
  readonly retentionDuration = new Gauge({
    name: 'switchboard_retention_duration_seconds',
    help: 'How long the last retention round took',
    registers: [this.registry],
  });
  readonly retentionPartitionsDropped = new Counter({
    name: 'switchboard_retention_partitions_dropped_total',
    help: 'Step partitions (one day of runs) dropped by retention',
    registers: [this.registry],
  });
  readonly retentionPartitionsHeld = new Gauge({
    name: 'switchboard_retention_partitions_held',
    help: 'Step partitions past the retention window kept because a run in them is still live',
    registers: [this.registry],
  });
  readonly retentionRowsDeleted = new Counter({
    name: 'switchboard_retention_rows_deleted_total',
    help: 'Rows deleted by retention, by table (steps in dropped partitions not counted)',
    labelNames: ['table'],
    registers: [this.registry],
  });
  readonly retentionFailures = new Counter({
    name: 'switchboard_retention_failures_total',
    help: 'Retention rounds that failed (logged; the next round tries again)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'switchboard_' });
  }
}
