import * as z from 'zod';
import { optionalPhoneNumberField, targetField } from '../fields.js';
import { formatTarget, parseTarget } from '../targets.js';
import {
  customCallingContext,
  headerTemplates,
  sipHeadersField,
  voipHeadersField,
} from './shared.js';
import { defineNodeType, nextVersion } from './types.js';
import { secondsField } from '../fields.js';

const configSchema = z
  .strictObject({
    target: targetField.default('').meta({
      title: 'Add',
      description: 'A phone number, or the id of a Communication Services app user',
      widget: 'target',
    }),
    callerId: optionalPhoneNumberField.default('').meta({
      title: 'Caller ID',
      description: 'One of your numbers, shown to the person added',
      widget: 'phoneNumber',
      requirement: 'Needed when adding a phone number',
      ownNumber: true,
    }),
    invitationTimeoutSeconds: secondsField(1, 180).default(30).meta({
      title: 'Ring for (seconds)',
      description: 'How long to ring the person before giving up',
    }),
    waitForAnswer: z.boolean().default(true).meta({
      title: 'Wait for answer',
      description:
        'On: continue when the person answers. Off: continue as soon as the invitation is sent, so a later node can cancel it',
    }),
    voipHeaders: voipHeadersField(),
    sipHeaders: sipHeadersField(),
  })
  .superRefine((c, ctx) => {
    if (c.callerId === '' && parseTarget(c.target)?.kind === 'phoneNumber') {
      ctx.addIssue({
        code: 'custom',
        path: ['callerId'],
        message: 'Adding a phone number needs a caller ID, e.g. +14255550100',
      });
    }
  });

/** Version 1: every outcome left unconnected ends the call, "Added" too (hung up for everyone). */
export const addParticipantV1 = defineNodeType({
  type: 'call.addParticipant',
  version: 1,
  label: 'Add participant',
  category: 'Participants',
  icon: 'PersonAdd',
  description: 'Invites another phone number or user into the call',
  configSchema,
  outcomes: [
    { id: 'added', label: 'Added' },
    { id: 'failed', label: 'Failed', failure: true },
  ],
  callControl: 'needsConnectedCall',
  waits: true,
  summary: (c) => (c.target === '' ? 'Add a participant' : `Add ${formatTarget(c.target)}`),
  action: (ctx) => {
    const context = customCallingContext(ctx, ctx.config.voipHeaders, ctx.config.sipHeaders);
    return {
      kind: 'addParticipant',
      target: ctx.config.target,
      ...(ctx.config.callerId !== '' ? { callerId: ctx.config.callerId } : {}),
      invitationTimeoutSeconds: ctx.config.invitationTimeoutSeconds,
      ...(context ? { customCallingContext: context } : {}),
    };
  },
  maxWaitSeconds: (c) => (c.waitForAnswer ? c.invitationTimeoutSeconds + 30 : 30),
  events: [
    // ACS accepted the invitation (HTTP 202 with invitationId): enough when not waiting.
    { on: 'ActionResult', when: (_e, c) => !c.waitForAnswer, outcome: 'added' },
    { on: 'AddParticipantSucceeded', outcome: 'added' },
    { on: 'AddParticipantFailed', outcome: 'failed' },
  ],
  templates: (c) => [
    ...headerTemplates('voipHeaders', c.voipHeaders),
    ...headerTemplates('sipHeaders', c.sipHeaders),
  ],
});

/**
 * Version 2: "Added" left unconnected takes the app out of the call and the caller and the
 * person added stay connected (the flow brought them together; hanging up on both was rarely
 * what the analyst meant).
 */
export const addParticipant = nextVersion(addParticipantV1, {
  version: 2,
  outcomes: [
    {
      id: 'added',
      label: 'Added',
      unconnected: { does: 'leave', who: 'The caller and the added participant' },
    },
    { id: 'failed', label: 'Failed', failure: true },
  ],
});
