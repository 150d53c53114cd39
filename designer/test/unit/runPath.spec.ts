import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowDocument } from '@switchboard/flow';
import { describe, expect, it } from 'vitest';
import { computePath, edgeLabel, pathDecorations } from '../../src/calls/runPath.js';
import { stepRows } from '../../src/calls/StepTimeline.js';
import { mainIvr, simulate, SUNDAY_LA, supportCall, TUESDAY_10_LA } from './support/runs.js';

describe('the path of a run over its document', () => {
  it('orders the nodes entered and numbers each edge taken with the event that moved it', () => {
    const { steps, state } = simulate(mainIvr, TUESDAY_10_LA, supportCall);
    expect(state.status).toBe('ended');
    const path = computePath(steps, mainIvr.edges, { status: 'ended', endReason: 'completed' });

    expect(path.entered.map((e) => e.nodeId)).toEqual([
      'incoming',
      'hours',
      'answer',
      'menu',
      'support',
      'supportConnected',
      'leave',
    ]);
    expect(path.traversals.map((t) => [t.order, t.edgeId, t.event])).toEqual([
      [1, 'incoming.next', 'IncomingCall'],
      [2, 'hours.open', 'IncomingCall'],
      [3, 'answer.connected', 'CallConnected'],
      [4, 'menu.choice:2', 'RecognizeCompleted'],
      [5, 'support.added', 'AddParticipantSucceeded'],
      [6, 'supportConnected.completed', 'PlayCompleted'],
    ]);
    expect(path.currentNodeId).toBeNull();
    expect(path.ended).toBe(true);
    expect(path.endReason).toBe('completed');
    expect(path.endNodeId).toBe('leave');

    const marks = pathDecorations(path);
    expect(marks.edges.get('menu.choice:2')?.label).toBe('4 · RecognizeCompleted');
    expect(marks.edges.has('menu.choice:1')).toBe(false);
    expect(marks.nodes.get('leave')?.state).toBe('ended');
    expect(marks.nodes.get('menu')?.state).toBe('visited');
    expect(marks.nodes.has('sales')).toBe(false);
  });

  it('marks the node a running call is on, and the latest edge', () => {
    const { steps, state } = simulate(mainIvr, TUESDAY_10_LA, supportCall.slice(0, 1));
    expect(state.awaiting?.nodeId).toBe('menu');
    const path = computePath(steps, mainIvr.edges, { status: 'running', currentNodeId: 'menu' });
    expect(path.currentNodeId).toBe('menu');
    expect(path.ended).toBe(false);
    expect(path.endReason).toBeNull();
    const marks = pathDecorations(path);
    expect(marks.nodes.get('menu')?.state).toBe('current');
    expect(marks.edges.get('answer.connected')?.className).toContain('sb-path-edge--latest');
    expect(marks.edges.get('hours.open')?.className).not.toContain('--latest');
  });

  it('derives the current node and the end from the steps when the run says nothing', () => {
    const running = simulate(mainIvr, TUESDAY_10_LA, supportCall.slice(0, 2));
    expect(computePath(running.steps, mainIvr.edges).currentNodeId).toBe('support');
    const ended = simulate(mainIvr, TUESDAY_10_LA, supportCall);
    const path = computePath(ended.steps, mainIvr.edges);
    expect(path.ended).toBe(true);
    expect(path.endReason).toBe('completed');
    expect(path.endNodeId).toBe('leave');
  });

  it('takes the closed path on a Sunday', () => {
    const { steps } = simulate(mainIvr, SUNDAY_LA, [
      { type: 'CallConnected' },
      { type: 'PlayCompleted' },
    ]);
    const path = computePath(steps, mainIvr.edges, { status: 'ended', endReason: 'completed' });
    expect(path.traversals.map((t) => t.edgeId)).toEqual([
      'incoming.next',
      'hours.closed',
      'answerClosed.connected',
      'closedMessage.completed',
    ]);
    expect(path.visits.has('menu')).toBe(false);
    expect(path.endNodeId).toBe('hangUp');
  });

  it('numbers an edge taken more than once with every pass', () => {
    const loop = {
      ...mainIvr,
      edges: [
        { id: 'a.next', source: 'a', sourceOutcome: 'next', target: 'b' },
        { id: 'b.again', source: 'b', sourceOutcome: 'again', target: 'a' },
      ],
    };
    const steps = [1, 2, 3, 4, 5].map((seq) => ({
      seq,
      eventType: seq === 1 ? 'Start' : 'PlayCompleted',
      nodeId: null,
      outcomes: [],
      trace: [
        { at: 0, kind: 'outcome' as const, nodeId: 'a', outcome: 'next' },
        { at: 0, kind: 'enter' as const, nodeId: 'b', type: 'x' },
        { at: 0, kind: 'outcome' as const, nodeId: 'b', outcome: 'again' },
        { at: 0, kind: 'enter' as const, nodeId: 'a', type: 'x' },
      ],
    }));
    const path = computePath(steps, loop.edges);
    const orders = path.edges.get('a.next')!.map((t) => t.order);
    expect(orders).toEqual([1, 3, 5, 7, 9]);
    // The label stays short however often a loop goes round.
    expect(edgeLabel(path.edges.get('a.next')!)).toBe('1, 3, 5 +2 · Start …');
    expect(path.visits.get('a')).toBe(5);
  });

  it('falls back to the outcomes of steps that carry no trace, and keeps steps in seq order', () => {
    const steps = [
      {
        seq: 1,
        eventType: 'CallConnected',
        nodeId: 'menu',
        outcomes: [{ nodeId: 'answer', outcome: 'connected' }],
      },
      {
        seq: 0,
        eventType: 'IncomingCall',
        nodeId: 'incoming',
        outcomes: [
          { nodeId: 'incoming', outcome: 'next' },
          { nodeId: 'hours', outcome: 'open' },
        ],
      },
    ];
    const path = computePath(steps, mainIvr.edges, { status: 'running', currentNodeId: 'menu' });
    expect(path.entered.map((e) => e.nodeId)).toEqual(['incoming', 'hours', 'answer', 'menu']);
    expect(path.traversals.map((t) => t.edgeId)).toEqual([
      'incoming.next',
      'hours.open',
      'answer.connected',
    ]);
  });

  it('records an outcome with no edge without inventing one', () => {
    const path = computePath(
      [
        {
          seq: 0,
          eventType: 'IncomingCall',
          nodeId: null,
          outcomes: [],
          trace: [
            { at: 0, kind: 'enter', nodeId: 'incoming', type: 'trigger.incomingCall' },
            { at: 0, kind: 'outcome', nodeId: 'incoming', outcome: 'nowhere' },
            { at: 0, kind: 'end', reason: 'completed' },
          ],
        },
      ],
      mainIvr.edges,
    );
    expect(path.traversals).toMatchObject([{ edgeId: null, target: null, outcome: 'nowhere' }]);
    expect(path.edges.size).toBe(0);
    expect(path.endNodeId).toBe('incoming');
  });

  it('computes the path of 1,000 steps, entering every step', () => {
    const { steps } = simulate(mainIvr, TUESDAY_10_LA, supportCall);
    const many = Array.from({ length: 1000 }, (_, i) => ({ ...steps[i % steps.length]!, seq: i }));
    const t0 = performance.now();
    const path = computePath(many, mainIvr.edges);
    pathDecorations(path);
    console.log(`path of 1,000 steps: ${(performance.now() - t0).toFixed(1)} ms`);
    expect(path.entered.length).toBeGreaterThan(1000);
  });
});

describe('a run that called a subflow', () => {
  const read = (file: string) =>
    JSON.parse(
      readFileSync(join(import.meta.dirname, `../../../flow/examples/${file}`), 'utf8'),
    ) as FlowDocument;
  const supportLine = read('support-line.json');
  const verifyCaller = read('verify-caller.json');
  const options = { flows: (id: string) => (id === 'v1' ? verifyCaller : undefined) };
  // call-a takes the classic greeting (the split's hash of the run id).
  const { steps, state } = simulate(
    supportLine,
    TUESDAY_10_LA,
    [
      { type: 'CallConnected' },
      { type: 'PlayCompleted' },
      { type: 'ActionResult', subflow: { flowId: 'verify-caller', versionId: 'v1', version: 1 } },
      { type: 'RecognizeCompleted', tones: ['1', '2', '3', '4'] },
      { type: 'PlayCompleted' },
    ],
    options,
    'call-a',
  );

  it('draws on the calling canvas only its own nodes: the Run subflow node and the outcome it returned', () => {
    expect(state.status).toBe('ended');
    const path = computePath(steps, supportLine.edges, { status: 'ended' });
    expect(path.entered.map((e) => e.nodeId)).toEqual([
      'incoming',
      'answer',
      'greeting',
      'classic',
      'verify',
      'thanks',
      'hangUp',
    ]);
    expect(path.traversals.map((t) => t.edgeId)).toContain('verify-return:verified');
  });

  it('lists the subflow’s steps under the node that called it', () => {
    const rows = stepRows(steps, supportLine);
    expect(rows.map((r) => r.node)).toEqual([
      'Incoming call',
      'Answer',
      'Classic greeting',
      'Verify caller',
      'Verify caller › pin',
      'Thank the caller',
    ]);
  });
});
