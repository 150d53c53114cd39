import * as z from 'zod';
import { defineNodeType } from './types.js';

export const incomingCallTrigger = defineNodeType({
  type: 'trigger.incomingCall',
  version: 1,
  label: 'Incoming call',
  category: 'Triggers',
  icon: 'CallInbound',
  description: 'Starts the flow when someone calls a number or identity bound to it',
  configSchema: z.strictObject({}),
  outcomes: [{ id: 'next', label: 'Next' }],
  trigger: 'incoming',
  callControl: 'none',
  waits: false,
  summary: () => 'When a call comes in',
  // The call is ringing: the flow decides what to do with it, starting with the next node.
  run: () => 'next',
});
