import type { FlowDocument } from '@switchboard/flow';
import { describe, expect, it } from 'vitest';
import example from '../../../flow/examples/main-ivr.json' with { type: 'json' };
import { mergeDrafts } from '../../src/editor/merge.js';

const base = example as unknown as FlowDocument;
const clone = (): FlowDocument => structuredClone(base);
const node = (doc: FlowDocument, id: string) => doc.nodes.find((n) => n.id === id)!;
const edge = (doc: FlowDocument, source: string, outcome: string) =>
  doc.edges.find((e) => e.source === source && e.sourceOutcome === outcome);

describe('three-way merge of drafts', () => {
  it('merges edits of different fields, nodes, connections and settings without a conflict', () => {
    const mine = clone();
    node(mine, 'menu').label = 'Welcome menu';
    node(mine, 'menu').position = { x: 1, y: 2 };
    edge(mine, 'menu', 'choice:1')!.target = 'operator';
    const theirs = clone();
    node(theirs, 'menu').config = { ...node(theirs, 'menu').config, prompt: 'Press 1 or 2' };
    node(theirs, 'sales').label = 'Sales queue';
    edge(theirs, 'menu', 'choice:2')!.target = 'operator';
    theirs.nodes.push({ id: 'added', type: 'call.hangUp', position: { x: 0, y: 0 }, config: {} });
    theirs.description = 'Edited elsewhere';

    const { merged, conflicts } = mergeDrafts(base, mine, theirs);
    expect(conflicts).toEqual([]);
    expect(node(merged, 'menu').label).toBe('Welcome menu');
    expect(node(merged, 'menu').position).toEqual({ x: 1, y: 2 });
    expect(node(merged, 'menu').config['prompt']).toBe('Press 1 or 2');
    expect(node(merged, 'sales').label).toBe('Sales queue');
    expect(edge(merged, 'menu', 'choice:1')!.target).toBe('operator');
    expect(edge(merged, 'menu', 'choice:2')!.target).toBe('operator');
    expect(merged.nodes.some((n) => n.id === 'added')).toBe(true);
    expect(merged.description).toBe('Edited elsewhere');
    expect(merged.edges).toHaveLength(base.edges.length);
  });

  it('reports a field both changed, with both values, and takes the chosen side', () => {
    const mine = clone();
    node(mine, 'menu').label = 'Mine';
    const theirs = clone();
    node(theirs, 'menu').label = 'Theirs';
    node(theirs, 'sales').label = 'Sales queue';

    const first = mergeDrafts(base, mine, theirs);
    expect(first.conflicts).toEqual([
      { key: 'node:menu:label', where: 'Mine', field: 'Label', mine: 'Mine', theirs: 'Theirs' },
    ]);
    expect(node(first.merged, 'menu').label).toBe('Mine');
    expect(node(first.merged, 'sales').label).toBe('Sales queue');
    const chosen = mergeDrafts(base, mine, theirs, () => 'theirs');
    expect(node(chosen.merged, 'menu').label).toBe('Theirs');
  });

  it('names config settings by their titles and connections by outcome', () => {
    const mine = clone();
    const theirs = clone();
    node(mine, 'menu').config = { ...node(mine, 'menu').config, prompt: 'A' };
    node(theirs, 'menu').config = { ...node(theirs, 'menu').config, prompt: 'B' };
    edge(mine, 'menu', 'choice:1')!.target = 'operator';
    edge(theirs, 'menu', 'choice:1')!.target = 'goodbye';
    const { conflicts } = mergeDrafts(base, mine, theirs);
    expect(conflicts.map((c) => [c.field, c.mine, c.theirs])).toEqual([
      ['Prompt', 'A', 'B'],
      ['Connection of choice:1', 'to Operator', 'to Goodbye'],
    ]);
  });

  it('deletes a node only one side touched; a delete against an edit is a conflict', () => {
    const mine = clone();
    mine.nodes = mine.nodes.filter((n) => n.id !== 'goodbye');
    mine.edges = mine.edges.filter((e) => e.target !== 'goodbye' && e.source !== 'goodbye');
    const theirs = clone();
    node(theirs, 'goodbye').position = { x: 9, y: 9 };
    const moved = mergeDrafts(base, mine, theirs);
    expect(moved.conflicts).toEqual([]);
    expect(moved.merged.nodes.some((n) => n.id === 'goodbye')).toBe(false);
    expect(moved.merged.edges.some((e) => e.target === 'goodbye')).toBe(false);

    node(theirs, 'goodbye').label = 'Bye';
    const edited = mergeDrafts(base, mine, theirs);
    expect(edited.conflicts.map((c) => [c.field, c.mine, c.theirs])).toEqual([
      ['Node', 'deleted', 'changed'],
    ]);
    expect(edited.merged.nodes.some((n) => n.id === 'goodbye')).toBe(false);
    const kept = mergeDrafts(base, mine, theirs, () => 'theirs');
    expect(node(kept.merged, 'goodbye').label).toBe('Bye');
  });
});
