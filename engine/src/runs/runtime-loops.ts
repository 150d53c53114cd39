import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RunsRepository } from './runs.repository.js';
import { RuntimeService } from './runtime.service.js';

/** A periodic task that never overlaps itself and can be stopped and awaited. */
class Loop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly task: () => Promise<void>,
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.task().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

/**
 * The runtime's background work, safe to run on every replica at once:
 * - the outbox dispatcher sends actions committed but not sent (a crash between commit and
 *   send), locking them with SKIP LOCKED so two replicas never send the same row;
 * - the reconciler picks runs whose wait deadline passed, asks ACS whether the call still
 *   exists and ends the run (gone) or applies a Timeout (the node's failure outcome);
 * - a gauge refresh for active runs and the outbox backlog.
 */
@Injectable()
export class RuntimeLoops implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loops: Loop[] = [];

  constructor(
    private readonly repo: RunsRepository,
    private readonly runtime: RuntimeService,
    private readonly metrics: MetricsService,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const rt = this.config.runtime;
    this.loops.push(
      new Loop(rt.outboxIntervalMs, () => this.guard('outbox', () => this.dispatchOutbox())),
      new Loop(rt.reconcileIntervalMs, () => this.guard('reconcile', () => this.reconcile())),
      new Loop(5000, () => this.guard('gauges', () => this.gauges())),
    );
    for (const l of this.loops) l.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.loops.map((l) => l.stop()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private async guard(name: string, task: () => Promise<unknown>): Promise<void> {
    try {
      await task();
    } catch (e) {
      this.logger.warn({ err: e, loop: name }, 'runtime loop failed; retrying next tick');
    }
  }

  /** One batch of stale unsent actions; returns how many were handled. */
  async dispatchOutbox(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.repo.withStaleOutbox(
        this.config.runtime.outboxGraceMs,
        50,
        (rows, client) =>
          this.runtime.resend(
            rows,
            (id) => this.repo.markSent([id], client),
            (id, error) => this.repo.markAttempt(id, error, client),
          ),
      );
      total += n;
      if (n < 50) return total;
    }
  }

  async reconcile(): Promise<number> {
    const due = await this.repo.claimOverdue(50, 60_000);
    for (const run of due) {
      const log = this.logger.child({
        runId: run.id,
        callConnectionId: run.callConnectionId ?? undefined,
      });
      const probe = run.callConnectionId
        ? await (await this.runtime.gatewayFor(run.test)).probe(run.callConnectionId)
        : undefined;
      if (probe?.state === 'gone') {
        log.info('reconcile: the call is gone; ending the run');
        await this.runtime.engineEvent(run.id, {
          id: `reconcile-gone:${run.id}`,
          type: 'CallDisconnected',
          callConnectionId: run.callConnectionId ?? undefined,
        });
        continue;
      }
      if (probe?.state === 'unknown')
        log.warn({ reason: probe.message }, 'reconcile: ACS did not say');
      log.info(
        { operationContext: run.operationContext },
        'reconcile: wait deadline passed; timing out the node',
      );
      await this.runtime.engineEvent(run.id, {
        id: `timeout:${run.operationContext ?? run.id}`,
        type: 'Timeout',
        ...(run.operationContext ? { operationContext: run.operationContext } : {}),
      });
    }
    return due.length;
  }

  private async gauges(): Promise<void> {
    const active = await this.repo.activeRuns();
    this.metrics.activeRuns.set({ test: 'false' }, active.real);
    this.metrics.activeRuns.set({ test: 'true' }, active.test);
    this.metrics.outboxBacklog.set(await this.repo.outboxBacklog());
  }
}
