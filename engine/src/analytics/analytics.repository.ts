import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { Statement } from '../runtime/sql/statement.js';
import { type PathCountRow, pathCounts, type PathCountsParams } from './sql/path-counts.sql.js';
import { rolledHours } from './sql/rolled-hours.sql.js';
import { rollUpHours } from './sql/roll-up-hours.sql.js';

/** The analytics' statements (one module each in ./sql), on Prisma's connection pool. */
@Injectable()
export class AnalyticsRepository {
  constructor(private readonly prisma: PrismaService) {}

  private query<R, P>(s: Statement<P>, params: P): Promise<R[]> {
    return this.prisma.$queryRawUnsafe<R[]>(s.text, ...s.values(params));
  }

  /** Starts (UTC ISO) of the hours in [from, to) of the flow already rolled up. */
  async rolledHours(flowId: string, from: Date, to: Date): Promise<string[]> {
    const rows = await this.query<{ hour: string }, Parameters<typeof rolledHours.values>[0]>(
      rolledHours,
      { flowId, from: from.toISOString(), to: to.toISOString() },
    );
    return rows.map((r) => r.hour);
  }

  /** Rolls up those of `hours` (starts) whose runs have all ended and that are not yet. */
  async rollUp(flowId: string, hours: Date[]): Promise<void> {
    await this.prisma.$executeRawUnsafe(
      rollUpHours.text,
      ...rollUpHours.values({ flowId, hours: hours.map((h) => h.toISOString()) }),
    );
  }

  /** Runs per edge, per node entered, per node and end reason, and in all. */
  pathCounts(params: PathCountsParams): Promise<PathCountRow[]> {
    return this.query<PathCountRow, PathCountsParams>(pathCounts, params);
  }
}
