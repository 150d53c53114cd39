import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';

/**
 * Removes ended test runs older than a cutoff, with their steps and outbox rows, a batch at a
 * time (the partial index of test runs by end time finds them).
 */
const DELETE_EXPIRED_TEST_RUNS = `
  WITH gone AS (
    DELETE FROM "Run" WHERE id IN (
      SELECT id FROM "Run" WHERE test AND status = 'ended'
        AND "endedAt" < ($1::timestamptz AT TIME ZONE 'UTC') LIMIT 1000)
    RETURNING id),
  s AS (DELETE FROM "RunStep" WHERE "runId" IN (SELECT id FROM gone)),
  o AS (DELETE FROM "OutboxAction" WHERE "runId" IN (SELECT id FROM gone))
  SELECT count(*)::int AS n FROM gone`;

/** Test runs' own data: the per-user count, retention. */
@Injectable()
export class TestRunsRepository {
  constructor(private readonly prisma: PrismaService) {}

  runningFor(actor: string): Promise<number> {
    return this.prisma.run.count({ where: { test: true, status: 'running', startedBy: actor } });
  }

  /** Deletes ended test runs older than `before`; returns how many. */
  async deleteExpired(before: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.prisma.$queryRawUnsafe<{ n: number }[]>(
        DELETE_EXPIRED_TEST_RUNS,
        before.toISOString(),
      );
      const n = rows[0]?.n ?? 0;
      total += n;
      if (n < 1000) break;
    }
    return total;
  }
}
