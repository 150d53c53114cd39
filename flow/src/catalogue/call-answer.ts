import * as z from 'zod';
import { defineNodeType } from './types.js';

export const answerCall = defineNodeType({
  type: 'call.answer',
  version: 1,
  label: 'Answer',
  category: 'Call control',
  icon: 'Call',
  description: 'Answers the incoming call so the flow can play prompts and add people',
  configSchema: z.strictObject({}),
  outcomes: [
    { id: 'connected', label: 'Connected' },
    { id: 'failed', label: 'Failed', failure: true },
  ],
  callControl: 'establishes',
  waits: true,
  summary: () => 'Answer the call',
  action: (ctx) => ({
    kind: 'answerCall',
    incomingCallContext: ctx.call.incomingCallContext ?? '',
  }),
  maxWaitSeconds: () => 30,
  events: [
    { on: 'CallConnected', outcome: 'connected' },
    { on: 'AnswerFailed', outcome: 'failed' },
  ],
});
