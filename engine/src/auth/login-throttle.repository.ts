import { Injectable } from '@nestjs/common';
import { type Db, PrismaService } from '../database/prisma.service.js';

export interface LoginThrottleRow {
  key: string;
  failures: number;
  lastAttemptAt: Date;
  lockedUntil: Date | null;
  throttledAt: Date | null;
}

@Injectable()
export class LoginThrottleRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Runs `fn` in a transaction holding a lock per key, so that parallel attempts on the same
   * username or address (from any engine) are decided one after the other and none slips past
   * the count. Keys are locked in sorted order: two requests never wait on each other crosswise.
   */
  withLockedKeys<T>(
    keys: readonly string[],
    fn: (rows: Map<string, LoginThrottleRow>, tx: Db) => Promise<T>,
  ): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    return this.prisma.$transaction(async (tx) => {
      for (const key of sorted) {
        const lock = `switchboard:login:${key}`;
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${lock}))`;
      }
      const rows = await tx.loginThrottle.findMany({ where: { key: { in: sorted } } });
      return fn(new Map(rows.map((r) => [r.key, r])), tx);
    });
  }

  save(db: Db, row: LoginThrottleRow) {
    const { key, ...data } = row;
    return db.loginThrottle.upsert({ where: { key }, create: row, update: data });
  }

  delete(db: Db, key: string) {
    return db.loginThrottle.deleteMany({ where: { key } });
  }

  /** Rows that no longer hold anything back: last attempt before `idleSince` and not locked. */
  deleteIdle(idleSince: Date, now: Date) {
    return this.prisma.loginThrottle.deleteMany({
      where: {
        lastAttemptAt: { lt: idleSince },
        OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }],
      },
    });
  }
}
