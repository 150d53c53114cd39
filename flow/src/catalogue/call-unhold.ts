import * as z from 'zod';
import { optionalTargetField } from '../fields.js';
import { formatTarget } from '../targets.js';
import { remoteParty } from './shared.js';
import { defineNodeType } from './types.js';

export const unholdParticipant = defineNodeType({
  type: 'call.unhold',
  version: 1,
  label: 'Resume',
  category: 'Call control',
  icon: 'CallPark',
  description: 'Takes a participant off hold',
  configSchema: z.strictObject({
    target: optionalTargetField.default('').meta({
      title: 'Resume',
      description:
        'Leave empty to resume the caller, or enter a phone number or the id of a Communication Services app user',
      widget: 'target',
    }),
  }),
  outcomes: [
    { id: 'next', label: 'Resumed' },
    { id: 'failed', label: 'Failed', failure: true },
  ],
  callControl: 'needsConnectedCall',
  waits: true,
  summary: (c) =>
    c.target === '' ? 'Take the caller off hold' : `Take ${formatTarget(c.target)} off hold`,
  action: (ctx) => ({ kind: 'unhold', target: ctx.config.target || remoteParty(ctx.call) }),
  maxWaitSeconds: () => 30,
  // ACS answers unhold with HTTP 200 and sends no callback: the response is the completion.
  events: [{ on: 'ActionResult', outcome: 'next' }],
});
