import { nodeType } from '../catalogue.js';
import type { DesignerNode } from './store.js';

/**
 * Find in flow: the nodes whose label, type (its id or its catalogue label) or any text or number
 * in their settings (prompts, phone numbers, keys, times) contain the query, ignoring case. A
 * query of digits also matches however the number is written ("800 555 0100" finds
 * "+18005550100"). Matches come left to right, then top to bottom, the way a flow reads.
 */
export function findNodes(nodes: readonly DesignerNode[], query: string): string[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return [];
  const digits = /^[\d\s+().-]+$/.test(needle) ? needle.replace(/\D/g, '') : '';
  const matches = nodes.filter((node) => {
    const texts = nodeTexts(node);
    return texts.some(
      (t) =>
        t.toLowerCase().includes(needle) ||
        (digits.length >= 3 && t.replace(/\D/g, '').includes(digits)),
    );
  });
  return matches
    .sort((a, b) => a.position.x - b.position.x || a.position.y - b.position.y)
    .map((n) => n.id);
}

function nodeTexts(node: DesignerNode): string[] {
  const { type, typeVersion, label, config } = node.data;
  const texts = [type, nodeType(type, typeVersion)?.label ?? ''];
  if (label) texts.push(label);
  collect(config, texts);
  return texts;
}

function collect(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (typeof value === 'number') into.push(String(value));
  else if (Array.isArray(value)) for (const v of value) collect(v, into);
  else if (value && typeof value === 'object')
    for (const v of Object.values(value)) collect(v, into);
}
