import diagnostics from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';

/**
 * What the runtime tells the rest of this process: `step` (runId, seq) after each commit, for
 * live streams; `testEnded` (runId) when a test call's run ends, to keep its call's record.
 */
@Injectable()
export class RunEvents extends EventEmitter {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
}

/**
 * Published after a step with actions commits and before they are sent — the moment a crash is
 * hardest on exactly-once delivery. Nothing in the engine listens: fault-injection tests
 * subscribe from a preload module (engine/test/support/exit-after-commit.mjs) and stop the
 * process here. Publishing costs nothing without subscribers.
 */
export const committedChannel = diagnostics.channel('switchboard:runtime:committed');

export interface CommittedMessage {
  runId: string;
  seq: number;
  actions: number;
}
