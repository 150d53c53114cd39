/** Branch conditions are data: an operator from this fixed list applied to two rendered strings. */
export const OPERATORS = [
  'equals',
  'notEquals',
  'contains',
  'notContains',
  'startsWith',
  'endsWith',
  'greaterThan',
  'lessThan',
  'greaterOrEqual',
  'lessOrEqual',
  'isEmpty',
  'isNotEmpty',
  'matchesDigits',
] as const;

export type Operator = (typeof OPERATORS)[number];

export const OPERATOR_LABELS: Record<Operator, string> = {
  equals: 'is',
  notEquals: 'is not',
  contains: 'contains',
  notContains: 'does not contain',
  startsWith: 'starts with',
  endsWith: 'ends with',
  greaterThan: 'is greater than',
  lessThan: 'is less than',
  greaterOrEqual: 'is at least',
  lessOrEqual: 'is at most',
  isEmpty: 'is empty',
  isNotEmpty: 'is not empty',
  matchesDigits: 'matches digits',
};

/** Operators that ignore the right-hand side. */
export const UNARY_OPERATORS: ReadonlySet<Operator> = new Set(['isEmpty', 'isNotEmpty']);

function toNumber(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * `matchesDigits`: the left side is only digits and fits the pattern on the right, where X
 * stands for any digit ("XXXX" = four digits, "1XX" = three digits starting with 1);
 * an empty pattern accepts any non-empty run of digits.
 */
function matchesDigits(value: string, pattern: string): boolean {
  if (!/^[0-9]+$/.test(value)) return false;
  const p = pattern.trim();
  if (p === '') return true;
  if (p.length !== value.length) return false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c !== 'X' && c !== 'x' && c !== value[i]) return false;
  }
  return true;
}

/** Compares trimmed strings; numeric operators are false when a side is not a number. */
export function evaluateCondition(left: string, operator: Operator, right: string): boolean {
  const l = left.trim();
  const r = right.trim();
  switch (operator) {
    case 'equals':
      return l === r;
    case 'notEquals':
      return l !== r;
    case 'contains':
      return l.includes(r);
    case 'notContains':
      return !l.includes(r);
    case 'startsWith':
      return l.startsWith(r);
    case 'endsWith':
      return l.endsWith(r);
    case 'isEmpty':
      return l === '';
    case 'isNotEmpty':
      return l !== '';
    case 'matchesDigits':
      return matchesDigits(l, r);
    case 'greaterThan':
    case 'lessThan':
    case 'greaterOrEqual':
    case 'lessOrEqual': {
      const a = toNumber(l);
      const b = toNumber(r);
      if (a === undefined || b === undefined) return false;
      if (operator === 'greaterThan') return a > b;
      if (operator === 'lessThan') return a < b;
      if (operator === 'greaterOrEqual') return a >= b;
      return a <= b;
    }
  }
}
