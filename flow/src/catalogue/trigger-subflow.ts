import * as z from 'zod';
import { variableNameField } from '../fields.js';
import { defineNodeType, type SubflowValueType } from './types.js';

const VALUE_TYPES = ['string', 'number', 'boolean'] as const satisfies readonly SubflowValueType[];

const typeField = z
  .enum(VALUE_TYPES)
  .default('string')
  .meta({
    title: 'Type',
    description: 'Text, a number or true/false',
    optionLabels: { string: 'text', number: 'number', boolean: 'true/false' },
  });

/** Whether a variable's text is a value of the type (variables are text; types say which). */
export function fitsType(value: string, type: SubflowValueType): boolean {
  if (type === 'number') return value.trim() !== '' && Number.isFinite(Number(value));
  if (type === 'boolean') return value === 'true' || value === 'false';
  return true;
}

export const subflowTrigger = defineNodeType({
  type: 'trigger.subflow',
  version: 1,
  label: 'Subflow start',
  category: 'Triggers',
  icon: 'FlowchartCircle',
  description: 'Starts a shared module that other flows call with “Run subflow”',
  configSchema: z.strictObject({
    inputs: z
      .array(
        z.strictObject({
          name: variableNameField.meta({
            title: 'Input',
            description: 'Variable the subflow starts with',
            widget: 'variableName',
          }),
          type: typeField,
          required: z
            .boolean()
            .default(true)
            .meta({ title: 'Required', description: 'Callers must give it' }),
        }),
      )
      .max(30, { error: 'Use at most 30 inputs' })
      .default([])
      .meta({ title: 'Inputs', description: 'What callers give; the only variables it sees' }),
    outputs: z
      .array(
        z.strictObject({
          name: variableNameField.meta({
            title: 'Output',
            description: 'A value its Return nodes give back',
            widget: 'variableName',
          }),
          type: typeField,
        }),
      )
      .max(30, { error: 'Use at most 30 outputs' })
      .default([])
      .meta({ title: 'Outputs', description: 'What its Return nodes give back to the caller' }),
  }),
  outcomes: [{ id: 'next', label: 'Next' }],
  trigger: 'subflow',
  callControl: 'none',
  waits: false,
  summary: (c) =>
    c.inputs.length === 0
      ? 'When called'
      : `When called with ${c.inputs.map((i) => i.name).join(', ')}`,
  run: () => 'next',
  writesVariables: (c) => c.inputs.map((i) => i.name),
  checkInputs: (c, inputs) => {
    for (const i of c.inputs) {
      const v = inputs[i.name];
      if (v === undefined || (v === '' && i.type !== 'string')) {
        if (i.required) return `the input “${i.name}” is required and was not given`;
        continue;
      }
      if (!fitsType(v, i.type)) return `the input “${i.name}” must be a ${i.type}, not “${v}”`;
    }
    return undefined;
  },
  signature: (c) => ({
    inputs: c.inputs.map((i) => ({ name: i.name, type: i.type, required: i.required })),
    outputs: c.outputs.map((o) => ({ name: o.name, type: o.type })),
  }),
});
