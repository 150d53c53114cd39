import * as z from 'zod';
import { optionalTargetField, targetField } from '../fields.js';
import { formatTarget } from '../targets.js';
import {
  customCallingContext,
  headerTemplates,
  sipHeadersField,
  voipHeadersField,
} from './shared.js';
import { defineNodeType } from './types.js';

export const transferCall = defineNodeType({
  type: 'call.transfer',
  version: 1,
  label: 'Transfer',
  category: 'Call control',
  icon: 'ArrowForward',
  description: 'Hands the call over to another number or user; the flow leaves the call',
  configSchema: z.strictObject({
    target: targetField.default('').meta({
      title: 'Transfer to',
      description: 'A phone number, or the id of a Communication Services app user',
      widget: 'target',
    }),
    transferee: optionalTargetField.default('').meta({
      title: 'Participant to transfer',
      description: 'Leave empty for a 1:1 call; in a group call, the participant who is moved',
      widget: 'target',
    }),
    voipHeaders: voipHeadersField(),
    sipHeaders: sipHeadersField(),
  }),
  outcomes: [
    // After a 1:1 transfer ACS removes the app from the call: nothing can follow.
    { id: 'accepted', label: 'Transferred', endsRun: 'transferred' },
    { id: 'failed', label: 'Failed', failure: true },
  ],
  callControl: 'needsConnectedCall',
  waits: true,
  summary: (c) =>
    c.target === '' ? 'Transfer (no target yet)' : `Transfer to ${formatTarget(c.target)}`,
  action: (ctx) => {
    const context = customCallingContext(ctx, ctx.config.voipHeaders, ctx.config.sipHeaders);
    return {
      kind: 'transferCall',
      target: ctx.config.target,
      ...(ctx.config.transferee !== '' ? { transferee: ctx.config.transferee } : {}),
      ...(context ? { customCallingContext: context } : {}),
    };
  },
  maxWaitSeconds: () => 90,
  events: [
    { on: 'CallTransferAccepted', outcome: 'accepted' },
    { on: 'CallTransferFailed', outcome: 'failed' },
  ],
  templates: (c) => [
    ...headerTemplates('voipHeaders', c.voipHeaders),
    ...headerTemplates('sipHeaders', c.sipHeaders),
  ],
});
