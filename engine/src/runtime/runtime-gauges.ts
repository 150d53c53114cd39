import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { Loop } from './loop.js';
import { RuntimeRepository } from './runtime.repository.js';

const INTERVAL_MS = 5000;

/** Refreshes the gauges that need a count from the database (active runs, outbox backlog). */
@Injectable()
export class RuntimeGauges implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: Loop;

  constructor(
    private readonly repo: RuntimeRepository,
    private readonly metrics: MetricsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.loop = new Loop(INTERVAL_MS, () =>
      this.refresh().catch((e: unknown) =>
        this.logger.warn({ err: e, loop: 'gauges' }, 'runtime loop failed; retrying next tick'),
      ),
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  private async refresh(): Promise<void> {
    const active = await this.repo.activeRuns();
    this.metrics.activeRuns.set({ test: 'false' }, active.real);
    this.metrics.activeRuns.set({ test: 'true' }, active.test);
    this.metrics.outboxBacklog.set(await this.repo.outboxBacklog());
  }
}
