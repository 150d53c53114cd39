import * as z from 'zod';
import { defineNodeType } from './types.js';

const reasons = { none: 'no reason', busy: 'busy', forbidden: 'forbidden' } as const;

export const rejectCall = defineNodeType({
  type: 'call.reject',
  version: 1,
  label: 'Reject',
  category: 'Call control',
  icon: 'CallEnd',
  description: 'Declines the incoming call without answering it',
  configSchema: z.strictObject({
    reason: z.enum(['none', 'busy', 'forbidden']).default('none').meta({
      title: 'Reason',
      description: 'What the caller’s phone is told: no reason, busy, or forbidden',
    }),
  }),
  outcomes: [],
  terminal: true,
  endReason: 'rejected',
  callControl: 'releases',
  waits: false,
  summary: (c) =>
    c.reason === 'none' ? 'Reject the call' : `Reject the call (${reasons[c.reason]})`,
  action: (ctx) => ({
    kind: 'rejectCall',
    incomingCallContext: ctx.call.incomingCallContext ?? '',
    reason: ctx.config.reason,
  }),
});
