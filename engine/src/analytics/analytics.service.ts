import { Injectable } from '@nestjs/common';
import { notFound, ProblemException } from '../common/problem.js';
import { FlowsRepository } from '../flows/flows.repository.js';
import { parseEdgeKey } from '../runtime/run-path.js';
import { AnalyticsRepository } from './analytics.repository.js';
import {
  type AnalyticsDto,
  type AnalyticsQuery,
  DEFAULT_RANGE_DAYS,
  MAX_RANGE_DAYS,
} from './analytics.schemas.js';

const DAY_MS = 24 * 60 * 60 * 1000;

const invalidField = (path: string, message: string) =>
  new ProblemException(
    400,
    'validation-error',
    `The query string is invalid: ${path}: ${message}`,
    {
      errors: [{ path, message }],
    },
  );

type NodeDto = AnalyticsDto['nodes'][number];

/**
 * Path analytics of a flow: how many runs of a time range (and optionally a version) took each
 * edge, entered each node and ended at it, and why. Real runs only unless asked for test runs.
 */
@Injectable()
export class AnalyticsService {
  constructor(
    private readonly repo: AnalyticsRepository,
    private readonly flows: FlowsRepository,
  ) {}

  async pathAnalytics(
    flowId: string,
    query: AnalyticsQuery,
    now = Date.now(),
  ): Promise<AnalyticsDto> {
    const to = query.to ? Date.parse(query.to) : now;
    const from = query.from ? Date.parse(query.from) : to - DEFAULT_RANGE_DAYS * DAY_MS;
    if (from >= to) throw invalidField('from', 'must be before to');
    if (to - from > MAX_RANGE_DAYS * DAY_MS) {
      throw invalidField('from', `must be at most ${MAX_RANGE_DAYS} days before to`);
    }
    if (!(await this.flows.find(flowId))) throw notFound(`Flow ${flowId}`);
    const version = query.version ?? null;
    const range = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    const rows = await this.repo.pathCounts({ flowId, ...range, test: query.test, version });

    let runs = 0;
    const edges: AnalyticsDto['edges'] = [];
    const nodes = new Map<string, NodeDto>();
    const nodeOf = (id: string) => {
      let n = nodes.get(id);
      if (!n) nodes.set(id, (n = { id, entered: 0, ended: 0, endReasons: {} }));
      return n;
    };
    for (const row of rows) {
      if (row.kind === 'total') runs = row.runs;
      else if (row.key === null) continue;
      else if (row.kind === 'edge') {
        const { source, outcome, target } = parseEdgeKey(row.key);
        edges.push({ source, sourceOutcome: outcome, target, runs: row.runs });
      } else if (row.kind === 'node') nodeOf(row.key).entered = row.runs;
      else {
        const n = nodeOf(row.key);
        n.ended += row.runs;
        n.endReasons[row.reason ?? 'unknown'] = row.runs;
      }
    }
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    edges.sort(
      (a, b) =>
        b.runs - a.runs ||
        byName(a.source, b.source) ||
        byName(a.sourceOutcome, b.sourceOutcome) ||
        byName(a.target, b.target),
    );
    return {
      flowId,
      ...range,
      version,
      test: query.test,
      runs,
      edges,
      nodes: [...nodes.values()].sort((a, b) => b.entered - a.entered || byName(a.id, b.id)),
    };
  }
}
