import * as z from 'zod';
import { isTimeZone } from './template-dates.js';
import { ScenarioSchema } from './scenarios/scenario.js';

/** Bumped only when a stored document needs migrating; the engine refuses versions it does not know. */
export const SCHEMA_VERSION = 1;

const idSchema = z
  .string()
  .min(1, { error: 'An id cannot be empty' })
  .max(200, { error: 'An id can be at most 200 characters long' });

export const PositionSchema = z.strictObject({
  x: z.number().meta({ title: 'X', description: 'Horizontal position on the canvas' }),
  y: z.number().meta({ title: 'Y', description: 'Vertical position on the canvas' }),
});

export const FlowNodeSchema = z
  .strictObject({
    id: idSchema.meta({
      title: 'Node id',
      description: 'Unique within the flow; edges refer to it',
    }),
    type: z.string().min(1).meta({
      title: 'Node type',
      description: 'A type id from the node catalogue, e.g. call.transfer',
    }),
    typeVersion: z
      .number()
      .int({ error: 'A node type version is a whole number: 1, 2, …' })
      .positive({ error: 'A node type version is a whole number: 1, 2, …' })
      .optional()
      .meta({
        title: 'Node type version',
        description:
          'The version of the node type this node runs with; absent means 1 (documents written before versions)',
      }),
    label: z.string().optional().meta({ title: 'Label', description: 'Name shown on the canvas' }),
    position: PositionSchema,
    // Kept loose on purpose: each node type validates its own config, so that a document with
    // a bad phone number still loads and the validator can point at the field.
    config: z.record(z.string(), z.unknown()).meta({
      title: 'Settings',
      description: 'Node settings; their shape depends on the node type',
    }),
  })
  .meta({ title: 'Node' });

export const FlowEdgeSchema = z
  .strictObject({
    id: idSchema.meta({ title: 'Edge id' }),
    source: idSchema.meta({ title: 'Source node id' }),
    sourceOutcome: z.string().min(1).meta({
      title: 'Outcome',
      description:
        'The outcome of the source node this edge follows, e.g. "completed" or "choice:1"',
    }),
    target: idSchema.meta({ title: 'Target node id' }),
  })
  .meta({ title: 'Edge' });

export const FlowDocumentSchema = z
  .strictObject({
    schemaVersion: z.literal(SCHEMA_VERSION).meta({ title: 'Schema version' }),
    name: z.string().min(1, { error: 'Give the flow a name' }).meta({ title: 'Name' }),
    description: z.string().optional().meta({ title: 'Description' }),
    timeZone: z
      .string()
      .max(100)
      .refine(isTimeZone, { error: 'Choose a time zone such as America/New_York or UTC' })
      .optional()
      .meta({
        title: 'Time zone',
        description:
          'Dates in templates are shown in this zone (default UTC), unless a node has its own',
      }),
    nodes: z.array(FlowNodeSchema),
    edges: z.array(FlowEdgeSchema),
    scenarios: z
      .array(ScenarioSchema)
      .max(500)
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((s, i) => {
          if (seen.has(s.name)) {
            ctx.addIssue({
              code: 'custom',
              path: [i, 'name'],
              message: `Another scenario is already called “${s.name}”`,
            });
          }
          seen.add(s.name);
        });
      })
      .optional()
      .meta({
        title: 'Scenarios',
        description:
          'Tests of the flow: a simulated call (caller, clock, inputs at each prompt) and where it must end',
      }),
    scenariosMustPass: z.boolean().optional().meta({
      title: 'Scenarios must pass',
      description: 'Publishing is refused while a scenario fails',
    }),
  })
  .meta({
    title: 'Switchboard flow',
    description:
      'A phone-call flow: nodes from the Switchboard node catalogue wired by their outcomes',
  });

export type FlowDocument = z.infer<typeof FlowDocumentSchema>;
export type FlowNode = z.infer<typeof FlowNodeSchema>;
export type FlowEdge = z.infer<typeof FlowEdgeSchema>;
export type Position = z.infer<typeof PositionSchema>;
