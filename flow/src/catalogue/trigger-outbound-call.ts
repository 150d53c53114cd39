import * as z from 'zod';
import {
  optionalPhoneNumberField,
  targetField,
  templateField,
  variableNameField,
} from '../fields.js';
import { formatTarget, parseTarget } from '../targets.js';
import { defineNodeType } from './types.js';

const configSchema = z
  .strictObject({
    targets: z
      .array(targetField)
      .max(10, { error: 'Call at most 10 people at once' })
      .default([])
      .meta({
        title: 'Call',
        description:
          'Who to call when the start request names nobody: phone numbers or ids of Communication Services app users',
        widget: 'target',
      }),
    callerId: optionalPhoneNumberField.default('').meta({
      title: 'Caller ID',
      description: 'One of your numbers, shown to the person called',
      widget: 'phoneNumber',
      requirement: 'Needed when calling a phone number',
      ownNumber: true,
    }),
    displayName: z.string().max(256).default('').meta({
      title: 'Display name',
      description: 'Name shown to Communication Services app and Teams users',
      widget: 'text',
    }),
    variables: z
      .array(
        z.strictObject({
          name: variableNameField.meta({
            title: 'Variable',
            description: 'Variable name',
            widget: 'variableName',
          }),
          value: templateField.meta({
            title: 'Default value',
            description: 'Used when the start request does not give this variable',
            widget: 'template',
          }),
        }),
      )
      .default([])
      .meta({
        title: 'Input variables',
        description: 'Variables the start request may pass (e.g. patientName), with defaults',
        widget: 'assignments',
      }),
  })
  .superRefine((c, ctx) => {
    if (c.callerId === '' && c.targets.some((t) => parseTarget(t)?.kind === 'phoneNumber')) {
      ctx.addIssue({
        code: 'custom',
        path: ['callerId'],
        message: 'Calling a phone number needs a caller ID, e.g. +14255550100',
      });
    }
  });

export const outboundCallTrigger = defineNodeType({
  type: 'trigger.outboundCall',
  version: 1,
  label: 'Outbound call',
  category: 'Triggers',
  icon: 'Call',
  description: 'Starts the flow by calling someone (createCall) when a run is requested',
  configSchema,
  outcomes: [
    { id: 'connected', label: 'Connected' },
    { id: 'failed', label: 'Not connected', failure: true },
  ],
  trigger: 'outbound',
  callControl: 'establishes',
  waits: true,
  summary: (c) =>
    c.targets.length === 0
      ? 'Call the number given at start'
      : `Call ${c.targets.map(formatTarget).join(', ')}`,
  action: (ctx) => {
    const targets =
      ctx.call.targets && ctx.call.targets.length > 0 ? ctx.call.targets : ctx.config.targets;
    const callerId = ctx.call.from !== '' ? ctx.call.from : ctx.config.callerId;
    return {
      kind: 'createCall',
      targets: [...targets],
      ...(callerId !== '' ? { callerId } : {}),
      ...(ctx.config.displayName !== '' ? { displayName: ctx.config.displayName } : {}),
    };
  },
  // Defaults for input variables the start request did not give.
  enter: (ctx) =>
    Object.fromEntries(
      ctx.config.variables
        .filter((v) => !(v.name in ctx.vars))
        .map((v) => [v.name, ctx.render(v.value)]),
    ),
  // Ringing lasts about a minute before ACS reports CreateCallFailed.
  maxWaitSeconds: () => 90,
  events: [
    { on: 'CallConnected', outcome: 'connected' },
    { on: 'CreateCallFailed', outcome: 'failed' },
    { on: 'ConnectFailed', outcome: 'failed' },
  ],
  templates: (c) => c.variables.map((v, i) => ({ path: ['variables', i, 'value'], text: v.value })),
  writesVariables: (c) => c.variables.map((v) => v.name),
});
