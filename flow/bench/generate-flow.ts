/** Synthetic flows for the benchmark and the size-related tests. */
import type { FlowDocument, FlowEdge, FlowNode } from '../src/index.js';

const AGENT = '8:acs:11111111-1111-1111-1111-111111111111_00000020-0000-0000-0000-000000000002';

/**
 * A realistic mix of about `size` nodes: an incoming call answered, then blocks of
 * play → menu → (set variables | collect digits) → branch → business hours, each block
 * leading to the next, with failures going to one shared hang-up. Valid: no errors.
 */
export function generateFlow(size: number): FlowDocument {
  const nodes: FlowNode[] = [];
  const edges: FlowEdge[] = [];
  const add = (
    id: string,
    type: string,
    col: number,
    row: number,
    config: Record<string, unknown>,
  ) => nodes.push({ id, type, label: id, position: { x: col * 280, y: row * 160 }, config });
  const link = (source: string, sourceOutcome: string, target: string) =>
    edges.push({ id: `${source}.${sourceOutcome}`, source, sourceOutcome, target });

  add('start', 'trigger.incomingCall', 0, 0, {});
  add('answer', 'call.answer', 1, 0, {});
  add('end', 'call.hangUp', 2, 2, { forEveryone: true });
  link('start', 'next', 'answer');
  link('answer', 'connected', 'p0');
  link('answer', 'failed', 'end');

  const blocks = Math.max(1, Math.floor((size - 4) / 7));
  for (let b = 0; b < blocks; b++) {
    const col = 2 + b * 5;
    const next = b + 1 < blocks ? `p${b + 1}` : 'bye';
    add(`p${b}`, 'media.play', col, 0, {
      text: `Block ${b}: hello {{ vars.name }}, calling from {{ call.from }}.`,
    });
    add(`m${b}`, 'media.menu', col + 1, 0, {
      prompt: 'Press 1 to continue or 2 to enter a code.',
      choices: [
        { digit: '1', label: 'Continue' },
        { digit: '2', label: 'Code' },
      ],
    });
    add(`s${b}`, 'logic.setVariables', col + 2, 0, {
      assignments: [{ name: 'name', value: 'caller {{ call.from }}' }],
    });
    add(`c${b}`, 'media.collectDigits', col + 2, 1, { variable: 'code', maxDigits: 4 });
    add(`b${b}`, 'logic.branch', col + 3, 0, {
      rules: [{ left: '{{ vars.code }}', operator: 'matchesDigits', right: 'XXXX' }],
    });
    add(`h${b}`, 'logic.businessHours', col + 4, 0, {});
    add(`a${b}`, 'call.addParticipant', col + 4, 1, { target: AGENT, waitForAnswer: true });
    link(`p${b}`, 'completed', `m${b}`);
    link(`p${b}`, 'failed', 'end');
    link(`m${b}`, 'choice:1', `s${b}`);
    link(`m${b}`, 'choice:2', `c${b}`);
    for (const o of ['noInput', 'invalid', 'failed']) link(`m${b}`, o, 'end');
    link(`s${b}`, 'next', `b${b}`);
    link(`c${b}`, 'collected', `b${b}`);
    link(`c${b}`, 'noInput', 'end');
    link(`c${b}`, 'failed', 'end');
    link(`b${b}`, 'rule:0', `a${b}`);
    link(`b${b}`, 'else', `h${b}`);
    link(`a${b}`, 'added', next);
    link(`a${b}`, 'failed', 'end');
    link(`h${b}`, 'open', next);
    link(`h${b}`, 'closed', next);
    link(`h${b}`, 'holiday', 'end');
  }
  add('bye', 'media.play', 2 + blocks * 5, 0, { text: 'Goodbye.' });
  link('bye', 'completed', 'end');
  link('bye', 'failed', 'end');
  return { schemaVersion: 1, name: `Generated (${nodes.length} nodes)`, nodes, edges };
}

/**
 * An answered call that plays `size - 2` messages in a ring, forever: every step applies a
 * PlayCompleted and enters the next play node, so step cost can be compared across sizes.
 */
export function ringFlow(size: number): FlowDocument {
  const plays = Math.max(1, size - 2);
  const nodes: FlowNode[] = [
    { id: 'start', type: 'trigger.incomingCall', position: { x: 0, y: 0 }, config: {} },
    { id: 'answer', type: 'call.answer', position: { x: 280, y: 0 }, config: {} },
  ];
  const edges: FlowEdge[] = [
    { id: 'e-start', source: 'start', sourceOutcome: 'next', target: 'answer' },
    { id: 'e-answer', source: 'answer', sourceOutcome: 'connected', target: 'play0' },
  ];
  for (let i = 0; i < plays; i++) {
    nodes.push({
      id: `play${i}`,
      type: 'media.play',
      position: { x: 560 + i * 280, y: 0 },
      config: { text: `Message ${i} for {{ call.from }}` },
    });
    edges.push({
      id: `e-play${i}`,
      source: `play${i}`,
      sourceOutcome: 'completed',
      target: `play${(i + 1) % plays}`,
    });
  }
  return { schemaVersion: 1, name: `Ring of ${plays} messages`, nodes, edges };
}
