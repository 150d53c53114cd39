import type { FlowDocument } from '@switchboard/flow';
import { describe, expect, it } from 'vitest';
import { comparisonView } from '../../src/editor/comparison.js';
import { endRows } from '../../src/editor/RecentCallsCheck.js';
import { mainIvr } from './support/runs.js';

/** The main IVR with the menu's 2 going to Sales. */
const twoToSales: FlowDocument = {
  ...mainIvr,
  edges: mainIvr.edges.map((e) => (e.id === 'menu.choice:2' ? { ...e, target: 'sales' } : e)),
};

const opening = [
  { nodeId: 'incoming', outcome: 'next' },
  { nodeId: 'hours', outcome: 'open' },
  { nodeId: 'answer', outcome: 'connected' },
];
/** Pressed 2: support, recorded on the published IVR; sales, replayed on the draft. */
const pressedTwo = {
  oldPath: [
    ...opening,
    { nodeId: 'menu', outcome: 'choice:2' },
    { nodeId: 'support', outcome: 'added' },
    { nodeId: 'supportConnected', outcome: 'completed' },
    { nodeId: 'leave' },
  ],
  newPath: [
    ...opening,
    { nodeId: 'menu', outcome: 'choice:2' },
    { nodeId: 'sales', outcome: 'accepted' },
  ],
  oldEnd: { nodeId: 'leave', reason: 'completed' },
  newEnd: { nodeId: 'sales', reason: 'transferred' },
  divergence: { nodeId: 'menu', oldOutcome: 'choice:2', newOutcome: 'choice:2' },
};

describe('a recorded call and its replay on one canvas', () => {
  it('draws the shared start in one colour and each path after the parting in its own', () => {
    const { document, layer } = comparisonView(mainIvr, twoToSales, pressedTwo);
    const edge = (id: string) => layer.edges!.get(id)?.className;
    expect(edge('incoming.next')).toBe('sb-cmp-edge sb-cmp-edge--both');
    expect(edge('answer.connected')).toBe('sb-cmp-edge sb-cmp-edge--both');
    // 2 now goes to Sales on the draft: that edge is the new path…
    expect(edge('menu.choice:2')).toBe('sb-cmp-edge sb-cmp-edge--new');
    expect(layer.edges!.get('menu.choice:2')!.label).toBe('now');
    // …and the recorded edge to Support, which the draft no longer has, is drawn back.
    const recorded = document.edges.find((e) => e.id === 'menu.choice:2~recorded')!;
    expect(recorded).toMatchObject({
      source: 'menu',
      sourceOutcome: 'choice:2',
      target: 'support',
    });
    expect(edge('menu.choice:2~recorded')).toBe('sb-cmp-edge sb-cmp-edge--old');
    expect(layer.edges!.get('menu.choice:2~recorded')!.label).toBe('recorded');
    expect(edge('support.added')).toBe('sb-cmp-edge sb-cmp-edge--old');
    expect(edge('menu.choice:1')).toBeUndefined();
    // Far out, the two paths stay drawn.
    expect([...layer.edges!.values()].every((m) => m.keepFar)).toBe(true);
    // The draft itself is not changed.
    expect(twoToSales.edges).toHaveLength(mainIvr.edges.length);
    expect(document.edges).toHaveLength(mainIvr.edges.length + 1);
  });

  it('marks the nodes of each path, where they part, and both ends', () => {
    const { layer } = comparisonView(mainIvr, twoToSales, pressedTwo);
    const node = (id: string) => layer.nodes!.get(id)?.className;
    expect(node('hours')).toBe('sb-cmp-node sb-cmp-node--both');
    expect(node('menu')).toBe('sb-cmp-node sb-cmp-node--both sb-cmp-node--diverge');
    expect(node('support')).toBe('sb-cmp-node sb-cmp-node--old');
    expect(node('sales')).toBe('sb-cmp-node sb-cmp-node--new');
    expect(layer.flags).toEqual([
      expect.objectContaining({ nodeId: 'menu', text: 'Paths part here', place: 'above' }),
      expect.objectContaining({ nodeId: 'leave', text: 'Recorded end: Completed' }),
      expect.objectContaining({ nodeId: 'sales', text: 'Now ends: Transferred' }),
    ]);
  });

  it('brings back a node of the recorded path the draft removed', () => {
    const withoutSupport: FlowDocument = {
      ...twoToSales,
      nodes: twoToSales.nodes.filter((n) => n.id !== 'support'),
      edges: twoToSales.edges.filter((e) => e.source !== 'support' && e.target !== 'support'),
    };
    const { document, layer } = comparisonView(mainIvr, withoutSupport, pressedTwo);
    expect(document.nodes.some((n) => n.id === 'support')).toBe(true);
    expect(document.edges.find((e) => e.id === 'support.added~recorded')).toBeTruthy();
    expect(layer.nodes!.get('support')!.className).toContain('sb-cmp-node--old');
  });

  it('says where a replay stopped for want of an input', () => {
    const { layer } = comparisonView(mainIvr, twoToSales, {
      ...pressedTwo,
      newEnd: undefined,
      unanswered: { nodeId: 'sales', message: 'it needs how the callee answers' },
    });
    expect(layer.flags!.at(-1)).toMatchObject({
      nodeId: 'sales',
      text: 'Replay stops here: the call never gave this input',
    });
  });
});

describe('where calls end, before and after', () => {
  it('puts the recorded and replayed counts of each end side by side, biggest first', () => {
    const rows = endRows(
      [
        { nodeId: 'leave', label: 'Leave the call', reason: 'completed', runs: 3 },
        { nodeId: 'hangUp', label: 'Hang up', reason: 'completed', runs: 1 },
      ],
      [
        { nodeId: 'sales', label: 'Transfer to sales', reason: 'transferred', runs: 3 },
        { nodeId: 'hangUp', label: 'Hang up', reason: 'completed', runs: 1 },
      ],
    );
    expect(rows.map((r) => [r.label, r.before, r.after])).toEqual([
      ['Leave the call', 3, 0],
      ['Transfer to sales', 0, 3],
      ['Hang up', 1, 1],
    ]);
  });
});
