import type { FlowDocument } from '@switchboard/flow';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/client.js';
import { browserTimeZone } from '../../src/calls/zonedTime.js';
import { describeTestCallProblem } from '../../src/editor/testCallProblems.js';
import { defaultTimeZone, suggestTargets } from '../../src/editor/testCallSetup.js';
import { mainIvr } from './support/runs.js';

const hoursNode = mainIvr.nodes.find((n) => n.id === 'hours')!;

describe('test call defaults from the flow', () => {
  it('takes the time zone of the first node with a time-zone field', () => {
    expect(defaultTimeZone(mainIvr)).toBe('America/Los_Angeles');
    const paris = {
      ...hoursNode,
      id: 'paris',
      config: { ...hoursNode.config, timezone: 'Europe/Paris' },
    };
    expect(defaultTimeZone({ nodes: [paris, hoursNode] })).toBe('Europe/Paris');
  });

  it('finds a field named timeZone on any node, catalogued or not', () => {
    const unknown = {
      id: 'x',
      type: 'custom.somethingElse',
      position: { x: 0, y: 0 },
      config: { timeZone: 'Asia/Tokyo' },
    };
    expect(defaultTimeZone({ nodes: [unknown] })).toBe('Asia/Tokyo');
  });

  it('uses the stored default of the field when the config leaves it out', () => {
    const { timezone: _, ...rest } = hoursNode.config as Record<string, unknown>;
    expect(defaultTimeZone({ nodes: [{ ...hoursNode, config: rest }] })).toBe('America/New_York');
  });

  it('falls back to the browser zone', () => {
    const withoutHours = mainIvr.nodes.filter((n) => n.id !== 'hours');
    expect(defaultTimeZone({ nodes: withoutHours })).toBe(browserTimeZone());
    const bad = { ...hoursNode, config: { ...hoursNode.config, timezone: 'Mars/Olympus' } };
    expect(defaultTimeZone({ nodes: [bad] })).toBe(browserTimeZone());
  });

  it('suggests the numbers and ACS users the flow calls', () => {
    const targets = suggestTargets(mainIvr).map((s) => s.target);
    expect(targets).toEqual([
      '+14255550100',
      '8:acs:11111111-1111-1111-1111-111111111111_00000020-0000-0000-0000-000000000002',
      '+14255550199',
    ]);
    expect(suggestTargets(mainIvr)[0]!.label).toBe('+1 425 555 0100 · Transfer to sales');
  });
});

describe('refused test calls in plain words', () => {
  const problem = (status: number, body: Record<string, unknown>, retryAfter?: number) =>
    new ApiError(status, { title: 'x', status, ...body }, retryAfter);

  it('lists the draft’s problems with the node names', () => {
    const doc: FlowDocument = mainIvr;
    const salesIndex = doc.nodes.findIndex((n) => n.id === 'sales');
    const text = describeTestCallProblem(
      problem(422, {
        detail: 'The draft has 2 errors',
        errors: [
          { path: `nodes[${salesIndex}].config.target`, message: 'Enter a phone number' },
          { path: 'edges[0]', message: 'An edge points at a node that does not exist' },
        ],
      }),
      { document: doc },
    );
    expect(text.title).toBe('The draft has problems to fix before it can be tested:');
    expect(text.lines).toEqual([
      'Transfer to sales: target: Enter a phone number',
      'edges[0]: An edge points at a node that does not exist',
    ]);
  });

  it('prefers validator issues when the engine sends them', () => {
    const text = describeTestCallProblem(
      problem(422, {
        issues: [
          {
            severity: 'error',
            nodeId: 'menu',
            path: ['nodes', 5],
            message: 'Add at least one choice',
          },
          { severity: 'warning', nodeId: 'menu', path: [], message: 'only a warning' },
        ],
        errors: [{ path: 'nodes[5]', message: 'Add at least one choice' }],
      }),
      { document: mainIvr },
    );
    expect(text.lines).toEqual(['Main menu: Add at least one choice']);
  });

  it('says when to try again after too many test calls', () => {
    expect(describeTestCallProblem(problem(429, {}, 12)).title).toBe(
      'Too many test calls are running; try again in 12 s.',
    );
    expect(describeTestCallProblem(problem(429, {})).title).toBe(
      'Too many test calls are running; try again shortly.',
    );
  });

  it('names a missing version and a refused setting', () => {
    expect(describeTestCallProblem(problem(404, {}), { version: 7 }).title).toBe(
      'Version 7 of this flow does not exist.',
    );
    const bad = describeTestCallProblem(
      problem(400, {
        errors: [{ path: 'clock', message: 'must be an ISO date-time with offset' }],
      }),
    );
    expect(bad.title).toBe('Some test call settings were not accepted:');
    expect(bad.lines).toEqual(['clock: must be an ISO date-time with offset']);
  });
});
