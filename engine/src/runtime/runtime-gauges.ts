import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RuntimeLoop } from './loop.js';
import { RuntimeRepository } from './runtime.repository.js';

const INTERVAL_MS = 5000;

/** Refreshes the gauges that need a count from the database (active runs, outbox backlog). */
@Injectable()
export class RuntimeGauges extends RuntimeLoop {
  constructor(
    private readonly repo: RuntimeRepository,
    private readonly metrics: MetricsService,
    @Inject(LOGGER) logger: Logger,
  ) {
    super('gauges', INTERVAL_MS, logger);
  }

  protected round(): Promise<unknown> {
    return this.refresh();
  }

  private async refresh(): Promise<void> {
    const active = await this.repo.activeRuns();
    this.metrics.activeRuns.set({ test: 'false' }, active.real);
    this.metrics.activeRuns.set({ test: 'true' }, active.test);
    this.metrics.outboxBacklog.set(await this.repo.outboxBacklog());
  }
}
