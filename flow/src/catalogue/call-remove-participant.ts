import * as z from 'zod';
import { targetField } from '../fields.js';
import { formatTarget } from '../targets.js';
import { defineNodeType } from './types.js';

export const removeParticipant = defineNodeType({
  type: 'call.removeParticipant',
  version: 1,
  label: 'Remove participant',
  category: 'Participants',
  icon: 'PersonDelete',
  description: 'Drops a participant from the call',
  configSchema: z.strictObject({
    target: targetField.default('').meta({
      title: 'Remove',
      description: 'A phone number, or the id of a Communication Services app user',
      widget: 'target',
    }),
  }),
  outcomes: [
    { id: 'removed', label: 'Removed' },
    { id: 'failed', label: 'Failed', failure: true },
  ],
  callControl: 'needsConnectedCall',
  waits: true,
  summary: (c) => (c.target === '' ? 'Remove a participant' : `Remove ${formatTarget(c.target)}`),
  action: (ctx) => ({ kind: 'removeParticipant', target: ctx.config.target }),
  maxWaitSeconds: () => 30,
  events: [
    { on: 'RemoveParticipantSucceeded', outcome: 'removed' },
    { on: 'RemoveParticipantFailed', outcome: 'failed' },
  ],
});
