import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { RuntimeDb, utc } from '../runtime/runtime-db.js';
import type { Statement } from '../runtime/sql/statement.js';
import type { RecordedRunRow, RecordedStepRow } from './recording.js';
import { endedRunsOfFlow, runsById, stepsOfRuns } from './sql/recordings.sql.js';

const query = async <P, R>(pool: pg.Pool, s: Statement<P>, params: P): Promise<R[]> =>
  (await pool.query({ name: s.name, text: s.text, values: s.values(params) })).rows as R[];

export interface EndedRunsFilter {
  flowId: string;
  from: Date;
  to: Date;
  version?: number;
  /** true: test calls only; false: real calls only; undefined: both. */
  test?: boolean;
  limit: number;
}

/**
 * Stored runs and their steps for replays and Save as test, on the runtime's `pg` pool (JSON
 * columns parsed once by `pg`, no per-row mapping): a few thousand runs are two statements.
 */
@Injectable()
export class RecordingsRepository {
  constructor(private readonly db: RuntimeDb) {}

  runsById(ids: string[]): Promise<RecordedRunRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return query(this.db.pool, runsById, { ids });
  }

  /** Ended runs of a flow started in [from, to), newest first. */
  endedRuns(filter: EndedRunsFilter): Promise<RecordedRunRow[]> {
    return query(this.db.pool, endedRunsOfFlow, {
      flowId: filter.flowId,
      from: utc(filter.from),
      to: utc(filter.to),
      version: filter.version ?? null,
      test: filter.test ?? null,
      limit: filter.limit,
    });
  }

  /** Every step of these runs, in run and seq order. */
  steps(runs: readonly Pick<RecordedRunRow, 'id' | 'startedAt'>[]): Promise<RecordedStepRow[]> {
    if (runs.length === 0) return Promise.resolve([]);
    let from = runs[0]!.startedAt.getTime();
    let to = from;
    for (const r of runs) {
      from = Math.min(from, r.startedAt.getTime());
      to = Math.max(to, r.startedAt.getTime());
    }
    return query(this.db.pool, stepsOfRuns, {
      ids: runs.map((r) => r.id),
      from: utc(from),
      to: utc(to),
    });
  }
}
