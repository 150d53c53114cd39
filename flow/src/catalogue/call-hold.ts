import * as z from 'zod';
import { optionalTargetField } from '../fields.js';
import { formatTarget } from '../targets.js';
import { audioUrlField, remoteParty } from './shared.js';
import { defineNodeType } from './types.js';

export const holdParticipant = defineNodeType({
  type: 'call.hold',
  version: 1,
  label: 'Hold',
  category: 'Call control',
  icon: 'CallPark',
  description: 'Puts a participant on hold, optionally with music',
  configSchema: z.strictObject({
    target: optionalTargetField.default('').meta({
      title: 'Hold',
      description:
        'Leave empty to hold the caller, or enter a phone number or the id of a Communication Services app user',
      widget: 'target',
    }),
    musicUrl: audioUrlField.meta({
      title: 'Music',
      description: 'Optional audio file (https://…) played while on hold',
      widget: 'text',
    }),
  }),
  outcomes: [
    { id: 'next', label: 'On hold' },
    { id: 'failed', label: 'Failed', failure: true },
  ],
  callControl: 'needsConnectedCall',
  waits: true,
  summary: (c) =>
    `${c.target === '' ? 'Hold the caller' : `Hold ${formatTarget(c.target)}`}${c.musicUrl ? ' with music' : ''}`,
  action: (ctx) => ({
    kind: 'hold',
    target: ctx.config.target || remoteParty(ctx.call),
    ...(ctx.config.musicUrl !== ''
      ? { music: { kind: 'file' as const, url: ctx.config.musicUrl } }
      : {}),
  }),
  maxWaitSeconds: () => 30,
  // HTTP 200 completes hold; HoldFailed reports a failure to start the hold music.
  events: [
    { on: 'ActionResult', outcome: 'next' },
    { on: 'HoldFailed', outcome: 'failed' },
  ],
});
