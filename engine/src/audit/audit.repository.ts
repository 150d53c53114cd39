import { Injectable } from '@nestjs/common';
import { type Db, Prisma, PrismaService } from '../database/prisma.service.js';

export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Pass the transaction client so the audit row commits with the change it records. */
  async record(db: Db, entry: AuditEntry): Promise<void> {
    await db.auditLog.create({
      data: {
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        details: (entry.details ?? Prisma.JsonNull) as Prisma.InputJsonValue,
      },
    });
  }

  /** Newest first; `after` is the last row of the previous page. */
  list(limit: number, after?: { at: Date; id: string }, target?: string) {
    return this.prisma.auditLog.findMany({
      where: {
        ...(target ? { target } : {}),
        ...(after
          ? { OR: [{ at: { lt: after.at } }, { at: after.at, id: { lt: after.id } }] }
          : {}),
      },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
  }
}
