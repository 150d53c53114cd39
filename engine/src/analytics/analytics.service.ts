import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { notFound, ProblemException } from '../common/problem.js';
import { FlowsRepository } from '../flows/flows.repository.js';
import { LOGGER, type Logger } from '../logging/logger.js';
import { parseEdgeKey } from '../runtime/run-path.js';
import { AnalyticsRepository } from './analytics.repository.js';
import {
  type AnalyticsDto,
  type AnalyticsQuery,
  DEFAULT_RANGE_DAYS,
  MAX_RANGE_DAYS,
} from './analytics.schemas.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/**
 * An hour is rolled up only this long after it ended (and once no run started in it is still
 * running): a run is stamped with its engine's clock, so engines whose clocks are up to this
 * far apart still never start a run in an hour already rolled up.
 */
export const ROLLUP_SETTLE_MS = 5 * 60 * 1000;

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
export class AnalyticsService implements OnModuleDestroy {
  /** Per flow, the rollup in flight. */
  private readonly rolling = new Map<string, Promise<unknown>>();

  constructor(
    private readonly repo: AnalyticsRepository,
    private readonly flows: FlowsRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.settled();
  }

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
    const { rolled, due } =
      query.test === 'true'
        ? { rolled: [], due: [] }
        : await this.rolledHours(flowId, from, to, now);
    const live = without({ from, to }, rolled);
    const rows = await this.repo.pathCounts({
      flowId,
      test: query.test,
      version,
      rolledHours: rolled.map((h) => new Date(h).toISOString()),
      liveFrom: live.map((r) => new Date(r.from).toISOString()),
      liveTo: live.map((r) => new Date(r.to).toISOString()),
    });
    this.rollUpLater(flowId, due);
    const range = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };

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

  /**
   * The whole hours inside [from, to): those already rolled up (read from the rollup) and those
   * over (by ROLLUP_SETTLE_MS) but not yet (`due`: this request reads them from the runs, then
   * has them rolled up). Hour starts, ms.
   */
  private async rolledHours(flowId: string, from: number, to: number, now: number) {
    const first = Math.ceil(from / HOUR_MS) * HOUR_MS;
    const end = Math.floor(to / HOUR_MS) * HOUR_MS;
    if (first >= end) return { rolled: [], due: [] };
    const rolled = (await this.repo.rolledHours(flowId, new Date(first), new Date(end))).map(
      Date.parse,
    );
    const done = new Set(rolled);
    const due: Date[] = [];
    for (let h = first; h < end && h + HOUR_MS + ROLLUP_SETTLE_MS <= now; h += HOUR_MS) {
      if (!done.has(h)) due.push(new Date(h));
    }
    return { rolled, due };
  }

  /**
   * Rolls `hours` up after the request has read them, not waiting for it (no request pays for
   * both); one rollup per flow at a time. The rollup itself skips hours with a run still running.
   */
  private rollUpLater(flowId: string, hours: Date[]): void {
    if (hours.length === 0 || this.rolling.has(flowId)) return;
    const rolling = this.repo
      .rollUp(flowId, hours)
      .catch((e: unknown) => this.logger.warn({ err: e, flowId }, 'analytics: rollup failed'))
      .finally(() => this.rolling.delete(flowId));
    this.rolling.set(flowId, rolling);
  }

  /** Waits for the rollups in flight (shutdown, tests). */
  async settled(): Promise<void> {
    await Promise.all(this.rolling.values());
  }
}

/** [from, to) without the given hours (starts, ms, ascending): the ranges left, in order. */
export function without(
  range: { from: number; to: number },
  hours: readonly number[],
): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  let at = range.from;
  for (const h of hours) {
    if (h > at) out.push({ from: at, to: Math.min(h, range.to) });
    at = Math.max(at, h + HOUR_MS);
  }
  if (at < range.to) out.push({ from: at, to: range.to });
  return out.filter((r) => r.from < r.to);
}
