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
      description: 'A phone number (+14255550100) or an ACS user id (8:acs:...)',
      widget: 'target',
    }),
    callerId: optionalPhoneNumberField.default('').meta({
      title: 'Caller ID',
      description: 'Optional ACS phone number to show when redirecting to a phone number',
      widget: 'phoneNumber',
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
