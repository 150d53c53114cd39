import { Inject, Injectable } from '@nestjs/common';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { LOGGER, type Logger } from '../logging/logger.js';
import { RuntimeLoop } from './loop.js';
import { RuntimeRepository } from './runtime.repository.js';
import { RuntimeService } from './runtime.service.js';
import { SentMarks } from './sent-marks.js';

const BATCH = 50;

/**
 * Sends actions committed but not sent — a crash between commit and send, or a send that got no
 * answer — once they are older than SWITCHBOARD_OUTBOX_GRACE_MS: this process's own, and those of
 * a process that is gone. Rows are locked with SKIP LOCKED, so replicas sharing the database never
 * send the same row; a resend carries the same Repeatability-Request-ID, so ACS applies it once.
 */
@Injectable()
export class OutboxDispatcher extends RuntimeLoop {
  constructor(
    private readonly repo: RuntimeRepository,
    private readonly runtime: RuntimeService,
    private readonly sentMarks: SentMarks,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    super('outbox', config.runtime.outboxIntervalMs, logger);
  }

  /** Since when the database has answered this process without a break (undefined: not now). */
  private reachableSince: number | undefined;

  /**
   * Dispatches only once the database has answered for a whole grace period: every replica
   * keeps the sent marks it could not write while the database was away (SentMarks) and writes
   * them within moments of its return, so a dispatcher that went straight back to work would
   * resend actions that were sent — and ACS cannot deduplicate a play or a recognize. The same
   * wait follows this process's start, for the marks of replicas that outlived an outage.
   */
  protected async round(): Promise<unknown> {
    try {
      if (
        this.reachableSince === undefined ||
        Date.now() - this.reachableSince < this.config.runtime.outboxGraceMs
      ) {
        await this.repo.ping();
        this.reachableSince ??= Date.now();
        return 0;
      }
      return await this.dispatch();
    } catch (e) {
      this.reachableSince = undefined;
      throw e;
    }
  }

  /** Batches of stale unsent actions until none are left; returns how many were handled. */
  async dispatch(): Promise<number> {
    let total = 0;
    for (;;) {
      const sent: string[] = [];
      let n: number;
      try {
        n = await this.repo.withStaleOutbox(
          this.config.runtime.outboxGraceMs,
          BATCH,
          this.sentMarks.pending(),
          (rows, client) =>
            this.runtime.resend(
              rows,
              async (id) => {
                sent.push(id);
                await this.repo.extendWait(id, client);
                await this.repo.markSent([id], client);
              },
              (id, error) => this.repo.markAttempt(id, error, client),
              (id) => this.repo.isAcknowledged(id, client),
            ),
        );
      } catch (e) {
        // The transaction's marks are gone with it, not the sends: keep them as marks to write.
        for (const id of sent) this.sentMarks.mark(id);
        throw e;
      }
      total += n;
      if (n < BATCH) return total;
    }
  }
}
