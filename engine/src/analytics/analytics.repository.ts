import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import { type PathCountRow, pathCounts, type PathCountsParams } from './sql/path-counts.sql.js';

/** The analytics' reads (one module per statement in ./sql). */
@Injectable()
export class AnalyticsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Runs per edge, per node entered, per node and end reason, and in all, of a range. */
  pathCounts(params: PathCountsParams): Promise<PathCountRow[]> {
    return this.prisma.$queryRawUnsafe<PathCountRow[]>(
      pathCounts.text,
      ...pathCounts.values(params),
    );
  }
}
