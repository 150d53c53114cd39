import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { Prisma } from '../generated/prisma/client.js';

export interface RunFilter {
  flowId?: string;
  status?: string;
  from?: Date;
  to?: Date;
  number?: string;
}

/** Reads of runs for the API (Prisma); the hot path's SQL is in RunsRepository. */
@Injectable()
export class RunsQueryRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(id: string) {
    return this.prisma.run.findUnique({ where: { id } });
  }

  steps(runId: string) {
    return this.prisma.runStep.findMany({ where: { runId }, orderBy: { seq: 'asc' }, take: 2000 });
  }

  /** Newest first; the cursor is the last row's (startedAt, id). */
  list(filter: RunFilter, limit: number, after?: { startedAt: Date; id: string }) {
    const where: Prisma.RunWhereInput = {
      ...(filter.flowId ? { flowId: filter.flowId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.from || filter.to
        ? {
            startedAt: {
              ...(filter.from ? { gte: filter.from } : {}),
              ...(filter.to ? { lt: filter.to } : {}),
            },
          }
        : {}),
      ...(filter.number
        ? { OR: [{ fromAddress: filter.number }, { toAddress: filter.number }] }
        : {}),
    };
    const cursor: Prisma.RunWhereInput | undefined = after
      ? {
          OR: [
            { startedAt: { lt: after.startedAt } },
            { startedAt: after.startedAt, id: { lt: after.id } },
          ],
        }
      : undefined;
    return this.prisma.run.findMany({
      where: cursor ? { AND: [where, cursor] } : where,
      orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
  }
}
