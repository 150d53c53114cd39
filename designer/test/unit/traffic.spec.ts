import { describe, expect, it } from 'vitest';
import {
  edgeWidth,
  isDesignedEnd,
  MAX_WIDTH,
  MIN_WIDTH,
  rangeStart,
  trafficLayer,
  type Traffic,
} from '../../src/editor/traffic.js';
import { mainIvr } from './support/runs.js';

const node = (id: string) => mainIvr.nodes.find((n) => n.id === id)!;

/** 40 calls: 30 open (20 support, 8 sales of which 2 declined, 2 hung up at the menu), 10 closed. */
const traffic: Traffic = {
  runs: 40,
  edges: [
    { source: 'incoming', sourceOutcome: 'next', target: 'hours', runs: 40 },
    { source: 'hours', sourceOutcome: 'open', target: 'answer', runs: 30 },
    { source: 'hours', sourceOutcome: 'closed', target: 'answerClosed', runs: 10 },
    { source: 'answer', sourceOutcome: 'connected', target: 'menu', runs: 30 },
    { source: 'menu', sourceOutcome: 'choice:2', target: 'support', runs: 20 },
    { source: 'menu', sourceOutcome: 'choice:1', target: 'sales', runs: 8 },
    { source: 'sales', sourceOutcome: 'failed', target: 'sorry', runs: 2 },
    // An edge of an older version: the document has no such connection.
    { source: 'menu', sourceOutcome: 'choice:3', target: 'sales', runs: 1 },
  ],
  nodes: [
    { id: 'incoming', entered: 40, ended: 0, endReasons: {} },
    { id: 'menu', entered: 30, ended: 2, endReasons: { callerHungUp: 2 } },
    { id: 'sales', entered: 8, ended: 6, endReasons: { transferred: 6 } },
    { id: 'hangUp', entered: 12, ended: 12, endReasons: { completed: 11, callerHungUp: 1 } },
    { id: 'leave', entered: 20, ended: 20, endReasons: { completed: 20 } },
  ],
};

describe('traffic on the canvas', () => {
  it('widens edges by the square root of their share, between a plain edge and the maximum', () => {
    expect(edgeWidth(0, 40)).toBe(MIN_WIDTH);
    expect(edgeWidth(40, 40)).toBe(MAX_WIDTH);
    expect(edgeWidth(10, 40)).toBe(5.5); // 1.5 + 7.5 × √¼ = 5.25 → halves
    expect(edgeWidth(1, 10_000)).toBeGreaterThanOrEqual(MIN_WIDTH);
    expect(edgeWidth(50, 40)).toBe(MAX_WIDTH);
    const widths = [1, 5, 10, 20, 40].map((n) => edgeWidth(n, 40));
    expect([...widths].sort((a, b) => a - b)).toEqual(widths);
  });

  it('labels used connections with their counts and marks unused ones with 0', () => {
    const { layer, summary } = trafficLayer(mainIvr, traffic);
    const support = layer.edges!.get('menu.choice:2')!;
    expect(support.label).toBe('20');
    expect(support.className).toBe('sb-traffic-edge');
    expect(support.style?.strokeWidth).toBe(edgeWidth(20, 40));
    expect(layer.edges!.get('incoming.next')!.style?.strokeWidth).toBe(MAX_WIDTH);
    // Nobody pressed 0: the operator option is shown unused.
    expect(layer.edges!.get('menu.choice:0')).toMatchObject({
      label: '0',
      className: 'sb-traffic-edge sb-traffic-edge--unused',
    });
    expect(summary.unused).toBe(mainIvr.edges.length - 7);
    expect(summary.elsewhere).toBe(1);
    expect(summary.runs).toBe(40);
  });

  it('counts calls ended at a node, and as dropped only where the flow does not mean them to end', () => {
    const { layer, summary } = trafficLayer(mainIvr, traffic);
    const flags = (id: string) => layer.flags!.filter((f) => f.nodeId === id).map((f) => f.text);
    // Hung up at the menu: the menu is no end.
    expect(flags('menu')).toEqual(['2 ended', '2 dropped']);
    expect(layer.nodes!.get('menu')!.className).toContain('sb-traffic-node--dropped');
    // A transfer that was accepted ends the run by design (its outcome says so).
    expect(flags('sales')).toEqual(['6 ended']);
    // A hang-up node is a terminal node: however the call ended there, it was meant to.
    expect(flags('hangUp')).toEqual(['12 ended']);
    expect(flags('incoming')).toEqual([]);
    expect(summary.dropped).toBe(2);
  });

  it('takes designed ends from the catalogue, with no node type named', () => {
    expect(isDesignedEnd(node('hangUp'), 'completed')).toBe(true);
    expect(isDesignedEnd(node('sales'), 'transferred')).toBe(true);
    expect(isDesignedEnd(node('sales'), 'callerHungUp')).toBe(false);
    expect(isDesignedEnd(node('menu'), 'callerHungUp')).toBe(false);
    expect(isDesignedEnd({ ...node('menu'), type: 'no.such.type' }, 'completed')).toBe(false);
    expect(isDesignedEnd(undefined, 'completed')).toBe(false);
  });

  it('starts a range the right number of hours before now', () => {
    const now = Date.parse('2026-12-08T12:00:00Z');
    expect(rangeStart('24h', now)).toBe('2026-12-07T12:00:00.000Z');
    expect(rangeStart('7d', now)).toBe('2026-12-01T12:00:00.000Z');
    expect(rangeStart('30d', now)).toBe('2026-11-08T12:00:00.000Z');
  });
});
