import * as z from 'zod';
import { optionalPhoneNumberField, targetField } from '../fields.js';
import { formatTarget } from '../targets.js';
import { defineNodeType } from './types.js';

export const redirectCall = defineNodeType({
  type: 'call.redirect',
  version: 1,
  label: 'Redirect',
  category: 'Call control',
  icon: 'ArrowForward',
  description: 'Sends the ringing call to another number or user without answering it',
  configSchema: z.strictObject({
    target: targetField.default('').meta({
      title: 'Redirect to',
      description: 'A phone number, or the id of a Communication Services app user',
      widget: 'target',
    }),
    callerId: optionalPhoneNumberField.default('').meta({
      title: 'Caller ID',
      description: 'Optional: one of your numbers, shown when redirecting to a phone number',
      widget: 'phoneNumber',
      ownNumber: true,
    }),
  }),
  outcomes: [],
  terminal: true,
  endReason: 'redirected',
  callControl: 'releases',
  waits: false,
  summary: (c) =>
    c.target === '' ? 'Redirect (no target yet)' : `Redirect to ${formatTarget(c.target)}`,
  action: (ctx) => ({
    kind: 'redirectCall',
    incomingCallContext: ctx.call.incomingCallContext ?? '',
    target: ctx.config.target,
    ...(ctx.config.callerId !== '' ? { callerId: ctx.config.callerId } : {}),
  }),
});
