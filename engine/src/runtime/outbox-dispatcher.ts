import { Inject, Injectable } from '@nestjs/common';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { LOGGER, type Logger } from '../logging/logger.js';
import { RuntimeLoop } from './loop.js';
import { RuntimeRepository } from './runtime.repository.js';
import { RuntimeService } from './runtime.service.js';

const BATCH = 50;

/**
 * Sends actions committed but not sent — a crash between commit and send, or a send that got no
 * answer — once they are older than SWITCHBOARD_OUTBOX_GRACE_MS. Rows are locked with SKIP
 * LOCKED, so replicas sharing the database never send the same row; a resend carries the same
 * Repeatability-Request-ID, so ACS applies it once.
 */
@Injectable()
export class OutboxDispatcher extends RuntimeLoop {
  constructor(
    private readonly repo: RuntimeRepository,
    private readonly runtime: RuntimeService,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    super('outbox', config.runtime.outboxIntervalMs, logger);
  }

  protected round(): Promise<unknown> {
    return this.dispatch();
  }

  /** Batches of stale unsent actions until none are left; returns how many were handled. */
  async dispatch(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.repo.withStaleOutbox(
        this.config.runtime.outboxGraceMs,
        BATCH,
        (rows, client) =>
          this.runtime.resend(
            rows,
            (id) => this.repo.markSent([id], client),
            (id, error) => this.repo.markAttempt(id, error, client),
          ),
      );
      total += n;
      if (n < BATCH) return total;
    }
  }
}
