import { describe, expect, it } from 'vitest';
import { parseRoute, routePath, type Route } from '../../src/app/router.js';

describe('routes of the Calls page and the run view', () => {
  it('parses #/calls with its filters', () => {
    expect(parseRoute('#/calls')).toEqual({ page: 'calls', filters: {} });
    expect(parseRoute('#/calls?flowId=main-ivr&nodeId=support&test=all')).toEqual({
      page: 'calls',
      filters: { flowId: 'main-ivr', nodeId: 'support', kind: 'all' },
    });
    expect(
      parseRoute(
        '#/calls?status=running&version=3&test=true&number=%2B15551230000&endReason=failed',
      ),
    ).toEqual({
      page: 'calls',
      filters: {
        status: 'running',
        version: 3,
        kind: 'test',
        number: '+15551230000',
        endReason: 'failed',
      },
    });
  });

  it('reads version 0 as the test calls of drafts', () => {
    expect(parseRoute('#/calls?version=0&test=true')).toEqual({
      page: 'calls',
      filters: { version: 0, kind: 'test' },
    });
    expect(routePath({ page: 'calls', filters: { version: 0 } })).toBe('/calls?version=0');
  });

  it('drops filter values it does not know', () => {
    expect(parseRoute('#/calls?status=lost&version=two&test=maybe&from=yesterday')).toEqual({
      page: 'calls',
      filters: {},
    });
  });

  it('parses a run deep link', () => {
    expect(parseRoute('#/calls/0b6f3a4e-1111-4222-8333-944455556666')).toEqual({
      page: 'run',
      runId: '0b6f3a4e-1111-4222-8333-944455556666',
    });
  });

  it('formats the routes so that they parse back to the same route', () => {
    const routes: Route[] = [
      { page: 'calls', filters: {} },
      { page: 'calls', filters: { flowId: 'main-ivr', nodeId: 'support', kind: 'all' } },
      {
        page: 'calls',
        filters: {
          flowId: 'a b/c',
          version: 2,
          status: 'ended',
          kind: 'test',
          from: '2026-12-08T18:00:00.000Z',
          to: '2026-12-09T18:00:00.000Z',
          number: '+15551230000',
          endReason: 'callerHungUp',
        },
      },
      { page: 'run', runId: 'run/with?odd#chars' },
    ];
    for (const route of routes) expect(parseRoute(`#${routePath(route)}`)).toEqual(route);
    expect(routePath({ page: 'calls', filters: {} })).toBe('/calls');
    expect(
      routePath({ page: 'calls', filters: { nodeId: 'support', flowId: 'main-ivr', kind: 'all' } }),
    ).toBe('/calls?flowId=main-ivr&nodeId=support&test=all');
    expect(routePath({ page: 'run', runId: 'abc' })).toBe('/calls/abc');
  });

  it('keeps the existing routes', () => {
    expect(parseRoute('#/flows/main-ivr')).toEqual({ page: 'editor', flowId: 'main-ivr' });
    expect(parseRoute('#/entry-points')).toEqual({ page: 'entryPoints' });
    expect(parseRoute('')).toEqual({ page: 'flows' });
  });
});
