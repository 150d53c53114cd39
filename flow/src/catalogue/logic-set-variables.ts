import * as z from 'zod';
import { templateField, variableNameField } from '../fields.js';
import { defineNodeType } from './types.js';

export const setVariables = defineNodeType({
  type: 'logic.setVariables',
  version: 1,
  label: 'Set variables',
  category: 'Logic',
  icon: 'Braces',
  description: 'Stores values in variables for later prompts and branches',
  configSchema: z.strictObject({
    assignments: z
      .array(
        z.strictObject({
          name: variableNameField.meta({
            title: 'Variable',
            description: 'Variable name',
            widget: 'variableName',
          }),
          value: templateField.meta({
            title: 'Value',
            description: 'Text or a template, e.g. {{ vars.digits | slice: 0, 3 }}',
            widget: 'template',
          }),
        }),
      )
      .max(50, { error: 'Use at most 50 assignments' })
      .default([{ name: 'greeting', value: 'Hello' }])
      .meta({
        title: 'Assignments',
        description: 'Set in order; later ones see earlier ones',
        widget: 'assignments',
      }),
  }),
  outcomes: [{ id: 'next', label: 'Next' }],
  callControl: 'none',
  waits: false,
  summary: (c) =>
    c.assignments.length === 0
      ? 'Set nothing'
      : `Set ${c.assignments.map((a) => a.name).join(', ')}`,
  run: (ctx) => {
    // Assign in order so a value can use one set just above it.
    const vars: Record<string, string> = {};
    const scope = { ...ctx.vars };
    for (const a of ctx.config.assignments) {
      const v = ctx.render(a.value, scope);
      vars[a.name] = v;
      scope[a.name] = v;
    }
    return { outcome: 'next', vars };
  },
  templates: (c) =>
    c.assignments.map((a, i) => ({ path: ['assignments', i, 'value'], text: a.value })),
  writesVariables: (c) => c.assignments.map((a) => a.name),
});
