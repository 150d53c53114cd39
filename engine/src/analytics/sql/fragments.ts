import { column as c, table } from '../../runtime/sql/statement.js';

/** Pieces the analytics statements share (the rollup and the read spell a run's ending once). */

export const RUN = table('Run');
export const ROLLUP = table('PathRollupHour');

/** A run's last node once it has ended (null while it runs). */
export const endNode = (r: string) =>
  `CASE WHEN ${r}.${c('Run', 'status')} = 'ended' THEN ${r}.${c('Run', 'currentNodeId')} END`;

/** Why it ended (null while it runs). */
export const endReason = (r: string) =>
  `CASE WHEN ${r}.${c('Run', 'status')} = 'ended' THEN COALESCE(${r}.${c('Run', 'endReason')}, 'unknown') END`;
