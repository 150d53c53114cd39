import * as z from 'zod';
import { optionalTargetField } from '../fields.js';
import { formatTarget, parseTarget } from '../targets.js';
import { remoteParty } from './shared.js';
import { defineNodeType } from './types.js';

/** ACS mutes only Communication Services users; a phone or Teams participant is refused (400). */
const muteTargetField = optionalTargetField.refine(
  (s) => s === '' || parseTarget(s)?.kind === 'communicationUser',
  {
    error:
      'Only Communication Services app users can be muted, not phone numbers or Teams users: enter the id of an app user, or leave empty for the caller',
  },
);

export const muteParticipant = defineNodeType({
  type: 'call.muteParticipant',
  version: 1,
  label: 'Mute',
  category: 'Participants',
  icon: 'MicOff',
  description:
    'Mutes a Communication Services app participant; only they can unmute. Phone and Teams participants cannot be muted: muting a caller on a phone takes Failed',
  configSchema: z.strictObject({
    target: muteTargetField.default('').meta({
      title: 'Mute',
      description:
        'Leave empty to mute the caller, or enter the id of a Communication Services app user. Phone and Teams participants cannot be muted',
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
