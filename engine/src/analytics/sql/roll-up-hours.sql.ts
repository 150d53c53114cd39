import { column as c, statement } from '../../runtime/sql/statement.js';
import { endNode, endReason, ROLLUP, RUN } from './fragments.js';

const run = (f: Parameters<typeof c<'Run'>>[1]) => `r.${c('Run', f)}`;

/**
 * Rolls up the given hours of a flow (hour starts, UTC ISO times) that are not rolled up yet and
 * in which no run of the flow is still running: one row per hour holding the real runs started
 * in it, grouped by path, ending and version (test runs are never rolled up: they are deleted
 * after a few days). One statement, one snapshot: "none running" and the counts agree. Two
 * requests rolling up the same hour at once: the primary key lets one of them write it.
 * Running runs are found through the partial index of running runs (startedAt, id).
 */
export const rollUpHours = statement<{ flowId: string; hours: string[] }>(
  'sb_roll_up_hours',
  (p) => `INSERT INTO ${ROLLUP} (${c('PathRollupHour', 'flowId')}, ${c('PathRollupHour', 'hour')},
    ${c('PathRollupHour', 'paths')}, ${c('PathRollupHour', 'rolledAt')})
SELECT ${p.flowId}::text, h.hour, COALESCE((
    SELECT jsonb_agg(jsonb_build_object('version', g.version, 'nodes', to_jsonb(g.nodes),
      'edges', to_jsonb(g.edges), 'endNode', g.end_node, 'endReason', g.end_reason, 'runs', g.runs))
    FROM (
      SELECT ${run('version')} AS version, ${run('nodesEntered')} AS nodes,
        ${run('edgesTaken')} AS edges, ${endNode('r')} AS end_node, ${endReason('r')} AS end_reason,
        count(*)::int AS runs
      FROM ${RUN} r
      WHERE ${run('flowId')} = ${p.flowId}::text AND NOT ${run('test')}
        AND ${run('startedAt')} >= h.hour AND ${run('startedAt')} < h.hour + interval '1 hour'
      GROUP BY 1, 2, 3, 4, 5) g), '[]'::jsonb),
  now() AT TIME ZONE 'UTC'
FROM (SELECT DISTINCT (x AT TIME ZONE 'UTC') AS hour FROM unnest(${p.hours}::timestamptz[]) AS x) h
WHERE NOT EXISTS (
    SELECT 1 FROM ${ROLLUP} o
    WHERE o.${c('PathRollupHour', 'flowId')} = ${p.flowId}::text AND o.${c('PathRollupHour', 'hour')} = h.hour)
  AND NOT EXISTS (
    SELECT 1 FROM ${RUN} r
    WHERE ${run('status')} = 'running' AND ${run('startedAt')} >= h.hour
      AND ${run('startedAt')} < h.hour + interval '1 hour' AND ${run('flowId')} = ${p.flowId}::text)
ON CONFLICT DO NOTHING`,
);
