/** A periodic task that never overlaps itself and can be stopped and awaited. */
export class Loop {
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

/** What a runtime loop needs of a logger. */
interface LoopLogger {
  warn(obj: object, msg: string): void;
}

/**
 * A background task of the runtime that runs every `intervalMs` from start-up to shutdown on
 * every replica; a failed round is logged and the next one tries again.
 */
export abstract class RuntimeLoop {
  private readonly loop: Loop;

  protected constructor(name: string, intervalMs: number, logger: LoopLogger) {
    this.loop = new Loop(intervalMs, () =>
      this.round().then(
        () => undefined,
        (e: unknown) =>
          logger.warn({ err: e, loop: name }, 'runtime loop failed; retrying next tick'),
      ),
    );
  }

  /** One round of the task. */
  protected abstract round(): Promise<unknown>;

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }
}
