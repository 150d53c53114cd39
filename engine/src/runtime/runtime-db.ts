import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { DATABASE_URL } from '../database/prisma.service.js';

/** The application_name of an engine's runtime sessions: this, then its instance id. */
export const OWNER_PREFIX = 'switchboard:';

/** `timestamp` (without time zone) OID: columns hold UTC wall-clock times, as Prisma writes them. */
const TIMESTAMP = 1114;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP && format !== 'binary'
      ? (v: string) => new Date(`${v.replace(' ', 'T')}Z`)
      : pg.types.getTypeParser(oid, format as never)) as typeof pg.types.getTypeParser,
};

/**
 * Every time these pools write or read is UTC, as Prisma's are, whatever the host's time zone:
 * times go in as ISO strings (`utc()`), `timestamp` columns come back as UTC, and the session's
 * TimeZone is UTC so that `now()` compares with stored times correctly. (pg's default writes a
 * Date as local time, which Postgres keeps as wall time without its offset.)
 */
export const utc = (d: Date | number): string => new Date(d).toISOString();

/**
 * A plain `pg` pool for the call runtime's hot path. Prisma's interactive transactions cost
 * several extra round trips per transaction (and a transaction-id handshake through the
 * adapter); one callback is one short transaction of four statements (two round trips) here.
 */
@Injectable()
export class RuntimeDb implements OnModuleDestroy {
  readonly pool: pg.Pool;
  /**
   * For writes that are hints, not facts (an action's "sent" mark: losing one causes a resend
   * with the same Repeatability-Request-ID): its sessions commit without waiting for the WAL
   * flush, so each such write is one statement — no BEGIN / SET LOCAL / COMMIT around it.
   */
  readonly hintPool: pg.Pool;

  /**
   * This process among the replicas: the owner of the outbox rows it commits, and its sessions'
   * application_name, so any replica can tell from pg_stat_activity whether the owner lives.
   */
  readonly instance = randomUUID();

  constructor(@Inject(DATABASE_URL) url: string, @Inject(ENGINE_CONFIG) config: EngineConfig) {
    const application_name = `${OWNER_PREFIX}${this.instance}`;
    this.pool = new pg.Pool({
      connectionString: url,
      application_name,
      max: config.runtime.poolSize,
      connectionTimeoutMillis: 2000,
      // Connections, once opened, stay open: a new one costs a SCRAM handshake (thousands of
      // PBKDF2 rounds on both sides, milliseconds of CPU each), and closing idle ones after a
      // lull made the next burst of callbacks pay for a dozen of them at once (measured: the
      // first 200 ms of load after 30 s of quiet ran at up to 100 ms per callback).
      idleTimeoutMillis: 0,
      // A statement stuck behind a broken server must not hold a callback forever.
      query_timeout: 10_000,
      options: '-c TimeZone=UTC',
      types,
      // Statements issued together go out together (BEGIN + lock, write + COMMIT): the hot
      // path is two round trips per event instead of four. Nothing here uses cursors/portals.
      pipeline: true,
    });
    this.hintPool = new pg.Pool({
      connectionString: url,
      application_name,
      max: 2,
      connectionTimeoutMillis: 2000,
      idleTimeoutMillis: 30_000,
      query_timeout: 10_000,
      options: '-c synchronous_commit=off -c TimeZone=UTC',
      types,
    });
    for (const pool of [this.pool, this.hintPool]) {
      // An idle client losing its connection (Postgres restarted) must not crash the process.
      pool.on('error', () => undefined);
      // Nor one checked out between two statements (a loop's transaction, a step deciding):
      // the pool does not listen to those, so without this Postgres going away mid-transaction
      // was an uncaught exception. The pending or next statement fails instead; the client is
      // discarded.
      pool.on('connect', (client) => client.on('error', () => undefined));
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.pool.end(), this.hintPool.end()]);
  }
}
