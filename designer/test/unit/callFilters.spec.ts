import { describe, expect, it } from 'vitest';
import {
  formatCallsFilters,
  isoToLocalInput,
  localInputToIso,
  parseCallsFilters,
  runsQuery,
} from '../../src/calls/callFilters.js';

describe('calls filters → the runs query', () => {
  it('asks for real calls by leaving test out, and names test or all otherwise', () => {
    expect(runsQuery({})).toBe('');
    expect(runsQuery({ kind: 'real' })).toBe('');
    expect(runsQuery({ kind: 'test' })).toBe('test=true');
    expect(runsQuery({ kind: 'all' })).toBe('test=all');
  });

  it('sends every filter under the engine’s parameter names', () => {
    const query = runsQuery(
      {
        flowId: 'main-ivr',
        version: 2,
        nodeId: 'support',
        status: 'ended',
        kind: 'all',
        from: '2026-12-08T00:00:00.000Z',
        to: '2026-12-09T00:00:00.000Z',
        number: ' +15551230000 ',
        endReason: 'callerHungUp',
      },
      { cursor: 'abc==', limit: 50 },
    );
    const params = new URLSearchParams(query);
    expect(Object.fromEntries(params)).toEqual({
      flowId: 'main-ivr',
      version: '2',
      nodeId: 'support',
      status: 'ended',
      test: 'all',
      from: '2026-12-08T00:00:00.000Z',
      to: '2026-12-09T00:00:00.000Z',
      number: '+15551230000',
      endReason: 'callerHungUp',
      cursor: 'abc==',
      limit: '50',
    });
    // '+' must reach the engine as a plus, not a space
    expect(query).toContain('number=%2B15551230000');
  });

  it('leaves out empty filters', () => {
    expect(runsQuery({ flowId: '', number: '  ', endReason: '' })).toBe('');
  });

  it('reads the route query back into the same filters', () => {
    const filters = { flowId: 'main-ivr', nodeId: 'support', kind: 'all' as const, version: 4 };
    expect(parseCallsFilters(formatCallsFilters(filters))).toEqual(filters);
  });

  it('converts the datetime inputs (browser zone) to instants and back', () => {
    const iso = localInputToIso('2026-12-08T10:00');
    expect(iso).toBe(new Date(2026, 11, 8, 10, 0).toISOString());
    expect(isoToLocalInput(iso)).toBe('2026-12-08T10:00');
    expect(localInputToIso('')).toBeUndefined();
  });
});
