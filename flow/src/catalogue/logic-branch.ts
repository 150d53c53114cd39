import * as z from 'zod';
import { evaluateCondition, OPERATOR_LABELS, OPERATORS, UNARY_OPERATORS } from '../conditions.js';
import { templateField } from '../fields.js';
import { defineNodeType, type OutcomeDescription } from './types.js';

/** Branch outcome ids are `rule:<index>` (0-based, in rule order), plus `else`. */
export function branchRuleOutcome(index: number): string {
  return `rule:${index}`;
}

const ruleSchema = z.strictObject({
  left: templateField.meta({
    title: 'Value',
    description: 'What to test, e.g. {{ vars.accountNumber }} or {{ call.from }}',
    widget: 'template',
  }),
  operator: z.enum(OPERATORS).meta({ title: 'Test', description: 'How to compare' }),
  right: templateField.default('').meta({
    title: 'Compare with',
    description: 'Text or a variable; ignored by “is empty” and “is not empty”',
    widget: 'template',
  }),
});

type Rule = z.output<typeof ruleSchema>;

function describeRule(r: Rule): string {
  const op = OPERATOR_LABELS[r.operator];
  return UNARY_OPERATORS.has(r.operator) ? `${r.left} ${op}` : `${r.left} ${op} ${r.right}`;
}

export const branch = defineNodeType({
  type: 'logic.branch',
  version: 1,
  label: 'Branch',
  category: 'Logic',
  icon: 'BranchFork',
  description: 'Follows the first rule that matches, or “else”',
  configSchema: z.strictObject({
    rules: z
      .array(ruleSchema)
      .min(1, { error: 'Add at least one rule' })
      .max(20, { error: 'Use at most 20 rules' })
      .default([{ left: '{{ call.from }}', operator: 'startsWith', right: '+1' }])
      .meta({
        title: 'Rules',
        description: 'Checked top to bottom; the first match wins',
        widget: 'rules',
      }),
  }),
  outcomes: (c) => [
    ...c.rules.map((r, i): OutcomeDescription => ({
      id: branchRuleOutcome(i),
      label: describeRule(r),
    })),
    { id: 'else', label: 'Else' },
  ],
  callControl: 'none',
  waits: false,
  summary: (c) =>
    c.rules.length === 1 && c.rules[0]
      ? `If ${describeRule(c.rules[0])}`
      : `${c.rules.length} rules`,
  run: (ctx) => {
    const i = ctx.config.rules.findIndex((r) =>
      evaluateCondition(
        ctx.render(r.left),
        r.operator,
        UNARY_OPERATORS.has(r.operator) ? '' : ctx.render(r.right),
      ),
    );
    return i < 0 ? 'else' : branchRuleOutcome(i);
  },
  templates: (c) =>
    c.rules.flatMap((r, i) => [
      { path: ['rules', i, 'left'], text: r.left },
      { path: ['rules', i, 'right'], text: r.right },
    ]),
});
