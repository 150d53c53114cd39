import * as z from 'zod';
import { defineNodeType } from './types.js';

export const hangUp = defineNodeType({
  type: 'call.hangUp',
  version: 1,
  label: 'Hang up',
  category: 'Call control',
  icon: 'CallEnd',
  description: 'Ends the call for everyone, or only takes the flow out of it',
  configSchema: z.strictObject({
    forEveryone: z.boolean().default(true).meta({
      title: 'End for everyone',
      description: 'On: the call ends for all participants. Off: only the flow leaves the call',
    }),
  }),
  outcomes: [],
  terminal: true,
  endReason: 'completed',
  callControl: 'needsConnectedCall',
  waits: false,
  summary: (c) => (c.forEveryone ? 'Hang up' : 'Leave the call'),
  action: (ctx) => ({ kind: 'hangUp', forEveryone: ctx.config.forEveryone }),
});
