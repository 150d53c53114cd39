import { Inject, Injectable } from '@nestjs/common';
import type { AcsAction } from '@switchboard/flow';
import {
  ACTION_EXECUTORS,
  type ActionExecutor,
  type ActionTarget,
  type SendOutcome,
} from './action-executor.js';

/**
 * Sends actions to the executor registered for their kind, and keeps track of sends in flight
 * so a graceful shutdown can wait for them (whatever is still unsent stays in the outbox).
 */
@Injectable()
export class ActionSender {
  private readonly byKind = new Map<string, ActionExecutor>();
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(@Inject(ACTION_EXECUTORS) executors: ActionExecutor[]) {
    for (const executor of executors) {
      for (const kind of executor.kinds) {
        if (this.byKind.has(kind)) throw new Error(`two executors for action kind ${kind}`);
        this.byKind.set(kind, executor);
      }
    }
  }

  send(action: AcsAction, target: ActionTarget): Promise<SendOutcome> {
    const executor = this.byKind.get(action.kind);
    if (!executor) {
      return Promise.resolve({
        ok: false,
        code: 'NoExecutor',
        message: `no executor handles ${action.kind} actions`,
        retryable: false,
      });
    }
    return executor.execute(action, target);
  }

  /** Runs `work` (sends and what follows them) as in flight until it settles. */
  track(work: Promise<unknown>, onError: (e: unknown) => void): void {
    const q = work.catch(onError);
    this.inflight.add(q);
    void q.finally(() => this.inflight.delete(q));
  }

  /** Waits for every send in flight (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }
}
