import { column as c, statement } from '../../runtime/sql/statement.js';
import { ROLLUP } from './fragments.js';

/** The hours of [from, to) of a flow already rolled up (UTC ISO times; hour starts). */
export const rolledHours = statement<{ flowId: string; from: string; to: string }>(
  'sb_rolled_hours',
  (p) => `SELECT to_char(${c('PathRollupHour', 'hour')}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS hour
  FROM ${ROLLUP}
  WHERE ${c('PathRollupHour', 'flowId')} = ${p.flowId}::text
    AND ${c('PathRollupHour', 'hour')} >= (${p.from}::timestamptz AT TIME ZONE 'UTC')
    AND ${c('PathRollupHour', 'hour')} < (${p.to}::timestamptz AT TIME ZONE 'UTC')
  ORDER BY 1`,
);
