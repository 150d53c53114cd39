import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';

/** Test runs' own data: the per-user count (their retention: retention/retention.service.ts). */
@Injectable()
export class TestRunsRepository {
  constructor(private readonly prisma: PrismaService) {}

  runningFor(actor: string): Promise<number> {
    return this.prisma.run.count({ where: { test: true, status: 'running', startedBy: actor } });
  }
}
