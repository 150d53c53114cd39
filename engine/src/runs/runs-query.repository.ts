import { Injectable } from '@nestjs/common';
import type { TraceEntry } from '@switchboard/flow';
import { Prisma, PrismaService } from '../database/prisma.service.js';

export interface RunFilter {
  /** Only runs started by this actor (a runner token sees its own runs). */
  startedBy?: string;
  flowId?: string;
  version?: number;
  status?: string;
  /** true: test calls only; false: real calls only; undefined: both. */
  test?: boolean;
  from?: Date;
  to?: Date;
  number?: string;
  endReason?: string;
  /** Runs whose path entered this node. */
  nodeId?: string;
}

/** A UTC timestamp parameter (the columns hold UTC wall times), whatever the session's zone. */
const utc = (d: Date) => Prisma.sql`(${d.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/** A run as lists show it (no state, no test-call snapshot: they are the row's bulk). */
export interface RunListRow {
  id: string;
  flowId: string;
  flowVersionId: string;
  version: number;
  direction: string;
  status: string;
  endReason: string | null;
  currentNodeId: string | null;
  callConnectionId: string | null;
  correlationId: string | null;
  fromAddress: string;
  toAddress: string;
  startedAt: Date;
  updatedAt: Date;
  endedAt: Date | null;
  startedBy: string;
  test: boolean;
  clockOffsetMs: bigint | number;
}

/** A step record as the API and the live stream read it. */
export interface StepRow {
  seq: number;
  eventId: string;
  eventType: string;
  event: unknown;
  nodeId: string | null;
  trace: TraceEntry[];
  actions: unknown[];
  vars: Record<string, string> | null;
  receivedAt: Date;
  committedAt: Date;
}

const STEP_SELECT = {
  seq: true,
  eventId: true,
  eventType: true,
  event: true,
  nodeId: true,
  trace: true,
  actions: true,
  vars: true,
  receivedAt: true,
  committedAt: true,
} as const;

/** Reads of runs for the API (Prisma); the runtime's SQL is in runtime/sql. */
@Injectable()
export class RunsQueryRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(id: string) {
    return this.prisma.run.findUnique({ where: { id } });
  }

  /** The run's steps, read from its one step partition (by its start time). */
  async steps(run: { id: string; startedAt: Date }): Promise<StepRow[]> {
    return (await this.prisma.runStep.findMany({
      where: { runId: run.id, runStartedAt: run.startedAt },
      orderBy: { seq: 'asc' },
      take: 2000,
      select: STEP_SELECT,
    })) as unknown as StepRow[];
  }

  /** Steps of a run after `afterSeq`, for the live stream. */
  async stepsAfter(runId: string, afterSeq: number, limit = 100): Promise<StepRow[]> {
    return (await this.prisma.runStep.findMany({
      where: { runId, seq: { gt: afterSeq } },
      orderBy: { seq: 'asc' },
      take: limit,
      select: STEP_SELECT,
    })) as unknown as StepRow[];
  }

  /** The run's variables after step `seq` (the last step up to it that changed them). */
  async varsAt(runId: string, seq: number): Promise<Record<string, string>> {
    const step = await this.prisma.runStep.findFirst({
      where: { runId, seq: { lte: seq }, vars: { not: Prisma.DbNull } },
      orderBy: { seq: 'desc' },
      select: { vars: true },
    });
    return (step?.vars as Record<string, string> | null | undefined) ?? {};
  }

  /**
   * Newest first; the cursor is the last row's (startedAt, id). The default list (real runs,
   * or test runs) is read off the ("test", "startedAt" DESC, id DESC) index, a page at a time
   * whatever the table's size; the other filters are checked on the rows it walks. `nodeId`
   * looks into each candidate run's steps (their primary key starts with the run id) for a trace
   * that entered the node (in the run's one step partition).
   */
  list(filter: RunFilter, limit: number, after?: { startedAt: Date; id: string }) {
    const where: Prisma.Sql[] = [];
    if (filter.test !== undefined) where.push(Prisma.sql`r.test = ${filter.test}`);
    if (filter.startedBy) where.push(Prisma.sql`r."startedBy" = ${filter.startedBy}`);
    if (filter.flowId) where.push(Prisma.sql`r."flowId" = ${filter.flowId}`);
    if (filter.version !== undefined) where.push(Prisma.sql`r.version = ${filter.version}`);
    if (filter.status) where.push(Prisma.sql`r.status = ${filter.status}`);
    if (filter.endReason) where.push(Prisma.sql`r."endReason" = ${filter.endReason}`);
    if (filter.from) where.push(Prisma.sql`r."startedAt" >= ${utc(filter.from)}`);
    if (filter.to) where.push(Prisma.sql`r."startedAt" < ${utc(filter.to)}`);
    if (filter.number) {
      where.push(
        Prisma.sql`(r."fromAddress" = ${filter.number} OR r."toAddress" = ${filter.number})`,
      );
    }
    if (filter.nodeId) {
      const entered = JSON.stringify([{ kind: 'enter', nodeId: filter.nodeId }]);
      where.push(
        Prisma.sql`EXISTS (SELECT 1 FROM "RunStep" s WHERE s."runId" = r.id
          AND s."runStartedAt" = r."startedAt" AND s.trace @> ${entered}::jsonb)`,
      );
    }
    if (after)
      where.push(Prisma.sql`(r."startedAt", r.id) < (${utc(after.startedAt)}, ${after.id})`);
    const conditions = where.length
      ? Prisma.sql`WHERE ${Prisma.join(where, ' AND ')}`
      : Prisma.empty;
    return this.prisma.$queryRaw<RunListRow[]>`
      SELECT r.id, r."flowId", r."flowVersionId", r.version, r.direction, r.status, r."endReason",
             r."currentNodeId", r."callConnectionId", r."correlationId", r."fromAddress",
             r."toAddress", r."startedAt", r."updatedAt", r."endedAt", r."startedBy", r.test,
             r."clockOffsetMs"
      FROM "Run" r ${conditions}
      ORDER BY r."startedAt" DESC, r.id DESC
      LIMIT ${limit + 1}`;
  }

  saveTestCall(runId: string, testCall: Prisma.InputJsonValue) {
    return this.prisma.run.updateMany({ where: { id: runId, test: true }, data: { testCall } });
  }
}
