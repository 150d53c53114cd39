import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type pg from 'pg';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { FlowsRepository } from '../flows/flows.repository.js';
import { LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { Loop } from '../runtime/loop.js';
import { RetentionRepository } from './retention.repository.js';
import {
  DAY_MS,
  DAYS_AHEAD,
  DEFAULT_PARTITION,
  partitionDay,
  partitionName,
  utcDay,
} from './step-partitions.js';

/** How often a round runs (every replica tries; the one holding the lock does it). */
const RETENTION_INTERVAL_MS = 10 * 60 * 1000;

/** What one round did. */
export interface RetentionReport {
  /** Runs started before this (midnight UTC) are past the window. */
  cutoff: string;
  partitionsCreated: string[];
  partitionsDropped: string[];
  /** Past the window but kept: a run in them is still live (their ended runs' rows go). */
  partitionsHeld: string[];
  /** Past the window and free, but their drop could not get its lock in time (next round). */
  partitionsBusy: string[];
  /** Days whose steps sit in the default partition (pruned row by row there). */
  partitionsRefused: string[];
  deleted: {
    runs: number;
    steps: number;
    outbox: number;
    testRuns: number;
    draftSnapshots: number;
    rollupHours: number;
    deadLetters: number;
  };
  durationMs: number;
}

/**
 * Run retention. Runs started more than SWITCHBOARD_RUN_RETENTION_DAYS whole UTC days ago go,
 * with everything keyed to them — steps, outbox rows, the path-analytics hours they were rolled
 * up in, and dead letters of that age — and ended test runs go after
 * SWITCHBOARD_TEST_RUN_RETENTION_HOURS with their unused draft snapshots. A live run is never
 * touched, however old.
 *
 * The step table is partitioned by day of run start (step-partitions.ts): a day past the window
 * with no live run is dropped whole, after its run rows are deleted (so a crash in between
 * leaves steps without runs, which nothing reads, never runs without steps); a day with a live
 * run keeps its partition and loses its ended runs' rows one batch at a time, and is dropped in
 * a later round once the run has ended. Partitions for today and the next DAYS_AHEAD days are
 * made at start (before the engine listens) and every round.
 *
 * Every replica runs the loop; a session advisory lock lets one of them prune at a time, the
 * others skip that round.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop = new Loop(RETENTION_INTERVAL_MS, () => this.round());
  private first: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: RetentionRepository,
    private readonly flows: FlowsRepository,
    private readonly metrics: MetricsService,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Before the engine takes calls, so that today's steps have their partition.
    try {
      await this.repo.exclusively((client) => this.ensurePartitions(client, Date.now()));
    } catch (e) {
      this.logger.warn({ err: e }, 'retention: could not create the step partitions ahead');
    }
    this.loop.start();
    this.first = setTimeout(() => void this.round(), 1000);
    this.first.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.first);
    await this.loop.stop();
  }

  /** One round, its failure logged and counted (the next round tries again). */
  private async round(): Promise<void> {
    try {
      await this.prune();
    } catch (e) {
      this.metrics.retentionFailures.inc();
      this.logger.warn({ err: e }, 'retention: round failed; retrying next round');
    }
  }

  /**
   * Prunes everything past the windows as of `now`. Undefined when another replica holds the
   * retention lock (it is doing the same).
   */
  prune(now = Date.now()): Promise<RetentionReport | undefined> {
    return this.repo.exclusively((client) => this.pruneLocked(client, now));
  }

  private async pruneLocked(client: pg.PoolClient, now: number): Promise<RetentionReport> {
    const t0 = performance.now();
    const cutoff = utcDay(now) - this.config.retention.runDays * DAY_MS;
    const ensured = await this.ensurePartitions(client, now);
    const report: RetentionReport = {
      cutoff: new Date(cutoff).toISOString(),
      partitionsCreated: ensured.created,
      partitionsDropped: [],
      partitionsHeld: [],
      partitionsBusy: [],
      partitionsRefused: ensured.refused,
      deleted: {
        runs: 0,
        steps: 0,
        outbox: 0,
        testRuns: 0,
        draftSnapshots: 0,
        rollupHours: 0,
        deadLetters: 0,
      },
      durationMs: 0,
    };
    const d = report.deleted;
    const add = (rows: { runs: number; steps: number; outbox: number }) => {
      d.runs += rows.runs;
      d.steps += rows.steps;
      d.outbox += rows.outbox;
    };

    // Whole days past the window: their runs' rows, then the partition.
    for (const name of ensured.partitions) {
      const day = partitionDay(name);
      if (day === undefined || day + DAY_MS > cutoff) continue;
      if (await this.repo.liveRunStarted(client, day, day + DAY_MS)) {
        report.partitionsHeld.push(name);
        continue;
      }
      add(await this.repo.deleteEndedRunsStarted(client, day, day + DAY_MS, false));
      if (await this.repo.dropPartition(client, name)) report.partitionsDropped.push(name);
      else report.partitionsBusy.push(name);
    }
    // Row by row: ended runs past the window whose partition stays (held back by a live run,
    // or the default partition).
    add(await this.repo.deleteEndedRunsStarted(client, '-infinity', cutoff, true));

    const testBefore = now - this.config.testCalls.retentionHours * 3600_000;
    d.testRuns = (await this.repo.deleteEndedTestRuns(client, testBefore)).runs;
    d.draftSnapshots = await this.flows.deleteUnusedSnapshots(new Date(testBefore));
    d.rollupHours = await this.repo.deleteRollupHours(client, cutoff);
    d.deadLetters = await this.repo.deleteDeadLetters(client, cutoff);
    report.durationMs = Math.round(performance.now() - t0);

    const m = this.metrics;
    m.retentionLastRun.set(Date.now() / 1000);
    m.retentionDuration.set(report.durationMs / 1000);
    m.retentionPartitionsDropped.inc(report.partitionsDropped.length);
    m.retentionPartitionsHeld.set(report.partitionsHeld.length);
    m.retentionRowsDeleted.inc({ table: 'Run' }, d.runs + d.testRuns);
    m.retentionRowsDeleted.inc({ table: 'RunStep' }, d.steps);
    m.retentionRowsDeleted.inc({ table: 'OutboxAction' }, d.outbox);
    m.retentionRowsDeleted.inc({ table: 'DraftSnapshot' }, d.draftSnapshots);
    m.retentionRowsDeleted.inc({ table: 'PathRollupHour' }, d.rollupHours);
    m.retentionRowsDeleted.inc({ table: 'DeadLetter' }, d.deadLetters);
    const busy = report.partitionsBusy.length > 0 || report.partitionsRefused.length > 0;
    const changed =
      busy ||
      report.partitionsCreated.length > 0 ||
      report.partitionsDropped.length > 0 ||
      Object.values(d).some((n) => n > 0);
    const log = { ...report, runDays: this.config.retention.runDays };
    if (busy) this.logger.warn(log, 'retention: pruned, some partitions left for later');
    else if (changed) this.logger.info(log, 'retention: pruned');
    else this.logger.debug(log, 'retention: nothing to prune');
    return report;
  }

  /** Partitions for today and the next DAYS_AHEAD days; lists them all. */
  private async ensurePartitions(
    client: pg.ClientBase,
    now: number,
  ): Promise<{ partitions: string[]; created: string[]; refused: string[] }> {
    const existing = new Set(await this.repo.partitions(client));
    const created: string[] = [];
    const refused: string[] = [];
    for (let i = 0, day = utcDay(now); i <= DAYS_AHEAD; i++, day += DAY_MS) {
      const name = partitionName(day);
      if (existing.has(name)) continue;
      const outcome = await this.repo.createPartition(client, day);
      if (outcome === 'created') created.push(name);
      if (outcome === 'refused') refused.push(name);
      if (outcome === 'created' || outcome === 'exists') existing.add(name);
    }
    existing.delete(DEFAULT_PARTITION);
    return { partitions: [...existing].sort(), created, refused };
  }
}
