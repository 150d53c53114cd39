import * as z from 'zod';
import { templateField, variableNameField } from '../fields.js';
import { defineNodeType, type OutcomeDescription } from './types.js';

export const SUBFLOW_FAILED = 'failed';

const subflowRef = z
  .strictObject({
    flowId: z
      .string()
      .max(200)
      .default('')
      .meta({ title: 'Flow', description: 'The published flow to call' }),
    version: z
      .number()
      .int({ error: 'A version is a whole number: 1, 2, …' })
      .positive({ error: 'A version is a whole number: 1, 2, …' })
      .nullable()
      .default(null)
      .meta({
        title: 'Version',
        description: 'A pinned version, or empty for the latest published when the call arrives',
      }),
    flowName: z
      .string()
      .max(200)
      .default('')
      .meta({ title: 'Flow name', description: 'Shown on the canvas' }),
    returns: z
      .array(
        z.strictObject({
          outcome: variableNameField.meta({
            title: 'Outcome',
            description: 'A Return node’s outcome',
          }),
        }),
      )
      .max(30)
      .default([])
      .meta({
        title: 'Outcomes',
        description: 'The subflow’s Return nodes, read from the chosen version',
      }),
  })
  .refine((r) => r.flowId !== '', { error: 'Choose the flow to call', path: ['flowId'] });

export const runSubflow = defineNodeType({
  type: 'flow.runSubflow',
  version: 1,
  label: 'Run subflow',
  category: 'Logic',
  icon: 'FlowchartCircle',
  description: 'Calls a shared flow (a subflow) on this call; its Return nodes are the outcomes',
  configSchema: z.strictObject({
    subflow: subflowRef.default({ flowId: '', version: null, flowName: '', returns: [] }).meta({
      title: 'Subflow',
      description: 'The published flow to call and its version (pinned, or the latest published)',
      widget: 'flowRef',
    }),
    inputs: z
      .array(
        z.strictObject({
          name: variableNameField.meta({
            title: 'Input',
            description: 'An input the subflow declares',
            widget: 'variableName',
          }),
          value: templateField.meta({
            title: 'Value',
            description: 'Text or a template, e.g. {{ call.from }}',
            widget: 'template',
          }),
        }),
      )
      .max(30, { error: 'Use at most 30 inputs' })
      .default([])
      .meta({
        title: 'Inputs',
        description: 'Values the subflow starts with',
        widget: 'assignments',
      }),
    outputs: z
      .array(
        z.strictObject({
          name: variableNameField.meta({
            title: 'Variable',
            description: 'This flow’s variable to set',
            widget: 'variableName',
          }),
          output: variableNameField.meta({
            title: 'From output',
            description: 'An output the subflow declares',
          }),
        }),
      )
      .max(30, { error: 'Use at most 30 outputs' })
      .default([])
      .meta({ title: 'Outputs', description: 'Variables set from what the subflow gives back' }),
  }),
  outcomes: (c) => [
    ...c.subflow.returns.map((r): OutcomeDescription => ({
      id: `return:${r.outcome}`,
      label: r.outcome,
    })),
    { id: SUBFLOW_FAILED, label: 'Failed', failure: true },
  ],
  callControl: 'none',
  waits: false,
  summary: (c) =>
    c.subflow.flowId === ''
      ? 'Choose a flow'
      : `Run ${c.subflow.flowName || 'subflow'} ${c.subflow.version === null ? '(latest)' : `v${c.subflow.version}`}`,
  action: (ctx) => ({
    kind: 'resolveSubflow',
    flowId: ctx.config.subflow.flowId,
    version: ctx.config.subflow.version,
  }),
  maxWaitSeconds: () => 10,
  // Resolving is a read: asking again is harmless.
  reissueWhenLost: true,
  calls: {
    inputs: (ctx) => {
      const vars: Record<string, string> = {};
      for (const i of ctx.config.inputs) vars[i.name] = ctx.render(i.value);
      return vars;
    },
    outputs: (c, returned) => {
      const vars: Record<string, string> = {};
      for (const o of c.outputs) vars[o.name] = returned[o.output] ?? '';
      return vars;
    },
  },
  flowReferences: (c) => [
    {
      path: ['subflow', 'flowId'],
      flowId: c.subflow.flowId,
      version: c.subflow.version,
      inputs: c.inputs.map((i) => ({ name: i.name, value: i.value })),
      outputs: c.outputs.map((o) => o.output),
      outcomes: c.subflow.returns.map((r) => `return:${r.outcome}`),
    },
  ],
  templates: (c) => c.inputs.map((i, n) => ({ path: ['inputs', n, 'value'], text: i.value })),
  writesVariables: (c) => c.outputs.map((o) => o.name),
});
