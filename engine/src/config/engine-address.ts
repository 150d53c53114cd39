import { Injectable } from '@nestjs/common';

/**
 * Where this engine listens, known only once it does (PORT=0 picks a free port). Kept apart from
 * the configuration, which is frozen after start: ACS calls back on ACS_CALLBACK_BASE_URL, or
 * here when that is not set.
 */
@Injectable()
export class EngineAddress {
  private current: string | undefined;

  /** Set once, by startEngine, after listen. */
  set(url: string): void {
    if (this.current !== undefined && this.current !== url) {
      throw new Error('the engine address is set once');
    }
    this.current = url;
  }

  get url(): string {
    if (this.current === undefined) throw new Error('the engine is not listening yet');
    return this.current;
  }
}
