import { column as c, statement } from '../../runtime/sql/statement.js';
import { endNode, endReason, ROLLUP, RUN } from './fragments.js';

export interface PathCountsParams extends Record<string, unknown> {
  flowId: string;
  /** 'false': real runs, 'true': test runs, 'all': both. */
  test: 'false' | 'true' | 'all';
  /** A version, or null for every version. */
  version: number | null;
  /** Hours (starts, UTC ISO) read from the rollup: the real runs started in them. */
  rolledHours: string[];
  /** Where the runs themselves are read: [liveFrom[i], liveTo[i]) (UTC ISO times). */
  liveFrom: string[];
  liveTo: string[];
}

/** One row of path-counts: what `kind` counts, the key and how many runs. */
export interface PathCountRow {
  /** edge: runs that took `key` (an edge key); node: runs that entered `key`; end: runs that
   *  ended at node `key` with `reason`; total: runs in the range. */
  kind: 'edge' | 'node' | 'end' | 'total';
  key: string | null;
  reason: string | null;
  runs: number;
}

const run = (f: Parameters<typeof c<'Run'>>[1]) => `r.${c('Run', f)}`;

/**
 * Path analytics of a flow's runs, in one statement (one snapshot) over the hourly rollup for
 * the hours it names and the run rows of the live ranges (the ("flowId", "startedAt") index),
 * never the step records: each run carries its path ("nodesEntered", "edgesTaken", kept by the
 * step writes). Runs are grouped by their whole path and ending — an IVR's runs take a few
 * hundred distinct paths at most — so the arrays are unnested once per distinct path, not per
 * run, and summed per edge and per node (a run holds each node and edge once, so a group's
 * size is its number of distinct runs). A rollup holds real runs only: with test=all, the test
 * runs of the rolled-up hours are read from the runs.
 */
export const pathCounts = statement<PathCountsParams>('sb_path_counts', (p) => {
  const filters = `(${p.version}::int IS NULL OR ${run('version')} = ${p.version}::int)`;
  const cols = `${run('nodesEntered')} AS nodes, ${run('edgesTaken')} AS edges,
      ${endNode('r')} AS end_node, ${endReason('r')} AS end_reason`;
  // (The times are UTC ISO strings: as `timestamp` their zone is dropped, leaving UTC wall
  // times like the columns'.) Each live range is an index scan of its own (LATERAL, kept apart
  // by OFFSET 0: as a join, the planner, not knowing the ranges, reads every run of the flow),
  // with the test filter inside, so that test runs alone come off the (test, startedAt) index.
  return `WITH hours AS (SELECT unnest(${p.rolledHours}::timestamp[]) AS hour),
runs AS (
  SELECT ${cols}
  FROM unnest(${p.liveFrom}::timestamp[], ${p.liveTo}::timestamp[]) AS l(s, e)
    CROSS JOIN LATERAL (
      SELECT * FROM ${RUN} r
      WHERE ${run('flowId')} = ${p.flowId}::text
        AND ${run('startedAt')} >= l.s AND ${run('startedAt')} < l.e
        AND (${p.test}::text = 'all' OR ${run('test')} = (${p.test}::text = 'true')) AND ${filters}
      OFFSET 0) r
  UNION ALL
  SELECT ${cols}
  FROM ${RUN} r
  WHERE ${p.test}::text = 'all' AND ${run('test')} AND ${run('flowId')} = ${p.flowId}::text
    AND ${run('startedAt')} >= (SELECT min(hour) FROM hours)
    AND ${run('startedAt')} < (SELECT max(hour) FROM hours) + interval '1 hour'
    AND date_trunc('hour', ${run('startedAt')}) IN (SELECT hour FROM hours) AND ${filters}),
paths AS (
  SELECT nodes, edges, end_node, end_reason, count(*)::int AS runs
  FROM runs GROUP BY 1, 2, 3, 4
  UNION ALL
  SELECT ARRAY(SELECT jsonb_array_elements_text(g.p->'nodes')),
    ARRAY(SELECT jsonb_array_elements_text(g.p->'edges')), g.p->>'endNode', g.p->>'endReason',
    (g.p->>'runs')::int
  FROM hours JOIN ${ROLLUP} u ON u.${c('PathRollupHour', 'flowId')} = ${p.flowId}::text
      AND u.${c('PathRollupHour', 'hour')} = hours.hour
    CROSS JOIN LATERAL jsonb_array_elements(u.${c('PathRollupHour', 'paths')}) AS g(p)
  WHERE ${p.test}::text <> 'true'
    AND (${p.version}::int IS NULL OR (g.p->>'version')::int = ${p.version}::int))
SELECT 'edge' AS kind, e AS key, NULL::text AS reason, sum(runs)::int AS runs
  FROM paths, unnest(paths.edges) AS e GROUP BY e
UNION ALL
SELECT 'node', n, NULL, sum(runs)::int FROM paths, unnest(paths.nodes) AS n GROUP BY n
UNION ALL
SELECT 'end', end_node, end_reason, sum(runs)::int FROM paths
  WHERE end_node IS NOT NULL GROUP BY end_node, end_reason
UNION ALL
SELECT 'total', NULL, NULL, COALESCE(sum(runs), 0)::int FROM paths`;
});
