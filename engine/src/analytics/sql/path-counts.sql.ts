import { column as c, statement, table } from '../../runtime/sql/statement.js';

export interface PathCountsParams extends Record<string, unknown> {
  flowId: string;
  /** UTC ISO times: runs with from ≤ startedAt < to. */
  from: string;
  to: string;
  /** 'false': real runs, 'true': test runs, 'all': both. */
  test: 'false' | 'true' | 'all';
  /** A version, or null for every version. */
  version: number | null;
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

const RUN = table('Run');
const startedAt = c('Run', 'startedAt');

/**
 * Path analytics of a flow's runs in a time range, in one statement over the run rows (the
 * ("flowId", "startedAt") index), never the step records: each run carries its path
 * ("nodesEntered", "edgesTaken", maintained by the step writes). The runs are first grouped by
 * their whole path and ending — runs of an IVR take a few hundred distinct paths at most — so
 * the arrays are unnested once per distinct path, not once per run, and counted per edge and
 * per node by summing the groups (a run holds each node and edge once, so a group's size is its
 * count of distinct runs).
 */
export const pathCounts = statement<PathCountsParams>(
  'sb_path_counts',
  (p) => `WITH paths AS (
  SELECT ${c('Run', 'nodesEntered')} AS nodes, ${c('Run', 'edgesTaken')} AS edges,
    CASE WHEN ${c('Run', 'status')} = 'ended' THEN ${c('Run', 'currentNodeId')} END AS end_node,
    CASE WHEN ${c('Run', 'status')} = 'ended' THEN COALESCE(${c('Run', 'endReason')}, 'unknown') END AS end_reason,
    count(*)::int AS runs
  FROM ${RUN}
  WHERE ${c('Run', 'flowId')} = ${p.flowId}::text
    AND ${startedAt} >= (${p.from}::timestamptz AT TIME ZONE 'UTC')
    AND ${startedAt} < (${p.to}::timestamptz AT TIME ZONE 'UTC')
    AND (${p.test}::text = 'all' OR ${c('Run', 'test')} = (${p.test}::text = 'true'))
    AND (${p.version}::int IS NULL OR ${c('Run', 'version')} = ${p.version}::int)
  GROUP BY 1, 2, 3, 4)
SELECT 'edge' AS kind, e AS key, NULL::text AS reason, sum(runs)::int AS runs
  FROM paths, unnest(paths.edges) AS e GROUP BY e
UNION ALL
SELECT 'node', n, NULL, sum(runs)::int FROM paths, unnest(paths.nodes) AS n GROUP BY n
UNION ALL
SELECT 'end', end_node, end_reason, sum(runs)::int FROM paths
  WHERE end_node IS NOT NULL GROUP BY end_node, end_reason
UNION ALL
SELECT 'total', NULL, NULL, COALESCE(sum(runs), 0)::int FROM paths`,
);
