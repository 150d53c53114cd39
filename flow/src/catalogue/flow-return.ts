import * as z from 'zod';
import { templateField, variableNameField } from '../fields.js';
import { defineNodeType } from './types.js';

/** The caller's outcome for a Return node named `name`. */
export function returnOutcome(name: string): string {
  return `return:${name}`;
}

export const returnNode = defineNodeType({
  type: 'flow.return',
  version: 1,
  label: 'Return',
  category: 'Logic',
  icon: 'ArrowHookUpLeft',
  description: 'Ends a subflow: the caller’s “Run subflow” node takes this outcome',
  configSchema: z.strictObject({
    outcome: variableNameField.default('done').meta({
      title: 'Outcome',
      description: 'The outcome the calling node takes, e.g. verified or notVerified',
    }),
    outputs: z
      .array(
        z.strictObject({
          name: variableNameField.meta({
            title: 'Output',
            description: 'An output the subflow start declares',
            widget: 'variableName',
          }),
          value: templateField.meta({
            title: 'Value',
            description: 'Text or a template, e.g. {{ vars.accountNumber }}',
            widget: 'template',
          }),
        }),
      )
      .max(30, { error: 'Use at most 30 outputs' })
      .default([])
      .meta({
        title: 'Outputs',
        description: 'Values given back to the caller',
        widget: 'assignments',
      }),
  }),
  outcomes: [],
  callControl: 'none',
  waits: false,
  summary: (c) => `Return “${c.outcome}”`,
  returns: (ctx) => {
    const outputs: Record<string, string> = {};
    for (const o of ctx.config.outputs) outputs[o.name] = ctx.render(o.value);
    return { outcome: ctx.config.outcome, outputs };
  },
  returnOutcome: (c) => ({ id: returnOutcome(c.outcome), label: c.outcome }),
  templates: (c) => c.outputs.map((o, i) => ({ path: ['outputs', i, 'value'], text: o.value })),
});
