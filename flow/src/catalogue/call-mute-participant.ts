import * as z from 'zod';
import { optionalTargetField } from '../fields.js';
import { formatTarget } from '../targets.js';
import { remoteParty } from './shared.js';
import { defineNodeType } from './types.js';

export const muteParticipant = defineNodeType({
  type: 'call.muteParticipant',
  version: 1,
  label: 'Mute',
  category: 'Participants',
  icon: 'MicOff',
  description: 'Mutes a participant (ACS can mute; only the participant can unmute)',
  configSchema: z.strictObject({
    target: optionalTargetField.default('').meta({
      title: 'Mute',
      description: 'Leave empty to mute the caller, or enter a phone number or ACS user id',
      widget: 'target',
    }),
  }),
  outcomes: [
    { id: 'muted', label: 'Muted' },
    { id: 'failed', label: 'Failed', failure: true },
  ],
  callControl: 'needsConnectedCall',
  waits: true,
  summary: (c) => (c.target === '' ? 'Mute the caller' : `Mute ${formatTarget(c.target)}`),
  action: (ctx) => ({
    kind: 'muteParticipant',
    target: ctx.config.target || remoteParty(ctx.call),
  }),
  maxWaitSeconds: () => 30,
  // ACS answers mute with HTTP 200 and sends no callback: the response is the completion.
  events: [{ on: 'ActionResult', outcome: 'muted' }],
});
