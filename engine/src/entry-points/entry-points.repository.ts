import { Injectable } from '@nestjs/common';
import { type Db, PrismaService } from '../database/prisma.service.js';

const withFlow = {
  flow: {
    select: {
      name: true,
      versions: { select: { version: true }, orderBy: { version: 'desc' as const }, take: 1 },
    },
  },
};

@Injectable()
export class EntryPointsRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(address: string, db: Db = this.prisma) {
    return db.entryPoint.findUnique({ where: { address }, include: withFlow });
  }

  list(limit: number, afterAddress?: string, flowId?: string) {
    return this.prisma.entryPoint.findMany({
      where: {
        ...(flowId ? { flowId } : {}),
        ...(afterAddress ? { address: { gt: afterAddress } } : {}),
      },
      orderBy: { address: 'asc' },
      take: limit + 1,
      include: withFlow,
    });
  }

  upsert(db: Db, address: string, flowId: string, version: number | null, by: string, at: Date) {
    return db.entryPoint.upsert({
      where: { address },
      create: {
        address,
        flowId,
        version,
        createdBy: by,
        updatedBy: by,
        createdAt: at,
        updatedAt: at,
      },
      update: { flowId, version, updatedBy: by, updatedAt: at },
      include: withFlow,
    });
  }

  delete(db: Db, address: string) {
    return db.entryPoint.deleteMany({ where: { address } });
  }

  /** The version and document a call to `address` runs now (pinned or latest), or null. */
  async resolve(address: string) {
    const entry = await this.prisma.entryPoint.findUnique({ where: { address } });
    if (!entry) return null;
    const version = await this.prisma.flowVersion.findFirst({
      where: {
        flowId: entry.flowId,
        ...(entry.version !== null ? { version: entry.version } : {}),
      },
      orderBy: { version: 'desc' },
    });
    return version ? { entryPoint: entry, version } : null;
  }
}
