import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type Prisma, PrismaService } from '../database/prisma.service.js';

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

/** Test runs' own data: draft snapshots, the per-user count, retention. */
@Injectable()
export class TestRunsRepository {
  constructor(private readonly prisma: PrismaService) {}

  runningFor(actor: string): Promise<number> {
    return this.prisma.run.count({ where: { test: true, status: 'running', startedBy: actor } });
  }

  /**
   * The id of the snapshot of this draft revision (one per revision, shared by its test runs).
   * One statement, so concurrent test calls of the same revision agree on one row.
   */
  async snapshotDraft(
    flowId: string,
    draftRevision: number,
    document: Prisma.InputJsonValue,
    by: string,
  ): Promise<string> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      INSERT INTO "DraftSnapshot" (id, "flowId", "draftRevision", document, "createdBy")
      VALUES (${randomUUID()}, ${flowId}, ${draftRevision}, ${JSON.stringify(document)}::jsonb, ${by})
      ON CONFLICT ("flowId", "draftRevision") DO UPDATE SET id = "DraftSnapshot".id
      RETURNING id`;
    return rows[0]!.id;
  }

  /** Deletes ended test runs (and unused draft snapshots) older than `before`; returns runs deleted. */
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
    await this.prisma.$executeRaw`
      DELETE FROM "DraftSnapshot" d
      WHERE d."createdAt" < (${before.toISOString()}::timestamptz AT TIME ZONE 'UTC')
        AND d.id NOT IN (SELECT "flowVersionId" FROM "Run" WHERE test)`;
    return total;
  }
}
