import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '../logging/logger.js';
import { RuntimeRepository } from './runtime.repository.js';

/** Marks per statement at most; a burst of sends becomes one DELETE. */
const BATCH = 200;
/** How long a mark may wait for others to join its statement. */
const LINGER_MS = 5;
/** How soon marks that could not be written are tried again. */
const RETRY_MS = 100;

/**
 * Takes sent actions out of the outbox in batches (one statement for many): a mark is a hint,
 * not a fact — losing one in a crash only makes the dispatcher resend the action with the same
 * Repeatability-Request-ID — so it need not be written before the next callback is taken.
 */
@Injectable()
export class SentMarks {
  private queue: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;
  /** Marked and not yet written: sent, though the outbox still holds them. */
  private readonly unwritten = new Set<string>();

  constructor(
    private readonly repo: RuntimeRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  mark(actionId: string): void {
    this.unwritten.add(actionId);
    this.queue.push(actionId);
    if (this.queue.length >= BATCH) {
      void this.flush();
      return;
    }
    this.timer ??= setTimeout(() => void this.flush(), LINGER_MS);
  }

  /** Actions marked sent whose marks are not written yet (the dispatcher must not resend them). */
  pending(): string[] {
    return [...this.unwritten];
  }

  /** Stops retrying marks that could not be written (shutdown). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Writes the queued marks; resolves once every mark queued so far is written (or failed). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const ids = this.queue;
    if (ids.length === 0) return this.flushing;
    this.queue = [];
    this.flushing = this.flushing
      .then(async () => {
        await this.repo.markSent(ids);
        for (const id of ids) this.unwritten.delete(id);
      })
      .catch((e: unknown) => {
        // The database is away: keep the marks and write them when it is back. A lost mark
        // makes the dispatcher resend the action, and media operations (play, recognize) carry
        // no Repeatability-Request-ID in ACS: the caller would hear the prompt twice.
        this.logger.warn({ err: e, count: ids.length }, 'could not mark actions sent; retrying');
        if (this.closed) return;
        this.queue.push(...ids);
        this.timer ??= setTimeout(() => void this.flush(), RETRY_MS);
      });
    return this.flushing;
  }
}
