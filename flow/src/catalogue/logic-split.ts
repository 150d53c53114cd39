import * as z from 'zod';
import { defineNodeType, type OutcomeDescription } from './types.js';

/** Split outcome ids are `branch:<index>` (0-based, in branch order). */
export function splitBranchOutcome(index: number): string {
  return `branch:${index}`;
}

/**
 * FNV-1a (32 bit) of a string: a pure, fast, well-spread hash, so that a call's branch depends
 * only on its id and the node's, never on a clock or a random source (a replay takes the same).
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The branch index a call takes at a split with these weights (undefined: all weights 0). */
export function splitBranch(
  weights: readonly number[],
  callId: string,
  nodeId: string,
): number | undefined {
  const total = weights.reduce((a, w) => a + w, 0);
  if (total <= 0) return undefined;
  // The hash's 2^32 values mapped onto [0, total): uniform enough for weights up to 10,000.
  let bucket = (fnv1a(`${callId}\u0000${nodeId}`) / 0x1_0000_0000) * total;
  for (let i = 0; i < weights.length; i++) {
    bucket -= weights[i] as number;
    if (bucket < 0) return i;
  }
  return weights.length - 1;
}

const branchSchema = z.strictObject({
  label: z
    .string()
    .min(1, { error: 'Name the branch, e.g. “New greeting”' })
    .max(60)
    .meta({ title: 'Branch', description: 'Name shown on the outcome, e.g. “A” or “New menu”' }),
  weight: z
    .number()
    .int({ error: 'A weight is a whole number, e.g. 50' })
    .min(0, { error: 'A weight cannot be negative' })
    .max(10_000, { error: 'Use weights up to 10,000' })
    .meta({ title: 'Weight', description: 'Share of calls: 50 and 50 is half each' }),
});

export const split = defineNodeType({
  type: 'logic.split',
  version: 1,
  label: 'Split by percentage',
  category: 'Logic',
  icon: 'ArrowSplit',
  description:
    'Sends each call down one branch by weight (A/B tests); a call always takes the same',
  configSchema: z.strictObject({
    branches: z
      .array(branchSchema)
      .min(2, { error: 'Add at least two branches' })
      .max(10, { error: 'Use at most 10 branches' })
      .refine((b) => b.some((x) => x.weight > 0), {
        error: 'Give at least one branch a weight above 0',
      })
      .default([
        { label: 'A', weight: 50 },
        { label: 'B', weight: 50 },
      ])
      .meta({
        title: 'Branches',
        description:
          'Each call takes one branch, chosen from its call id and this node: a replay takes the same',
      }),
  }),
  outcomes: (c) =>
    c.branches.map((b, i): OutcomeDescription => ({
      id: splitBranchOutcome(i),
      label: `${b.label} (${percent(b.weight, c.branches)})`,
    })),
  callControl: 'none',
  waits: false,
  summary: (c) => c.branches.map((b) => `${b.label} ${percent(b.weight, c.branches)}`).join(' · '),
  run: (ctx) => {
    const i = splitBranch(
      ctx.config.branches.map((b) => b.weight),
      ctx.runId,
      ctx.nodeId,
    );
    if (i === undefined) throw new Error('every branch has weight 0');
    return splitBranchOutcome(i);
  },
});

function percent(weight: number, all: readonly { weight: number }[]): string {
  const total = all.reduce((a, b) => a + b.weight, 0);
  if (total <= 0) return '0 %';
  const p = (weight / total) * 100;
  return `${Number.isInteger(p) ? p : p.toFixed(1)} %`;
}
