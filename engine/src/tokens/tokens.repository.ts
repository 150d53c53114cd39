import { Injectable } from '@nestjs/common';
import { type Db, PrismaService } from '../database/prisma.service.js';
import type { Role } from '../auth/roles.js';

@Injectable()
export class TokensRepository {
  constructor(private readonly prisma: PrismaService) {}

  findActiveByHash(tokenHash: string) {
    return this.prisma.apiToken.findFirst({ where: { tokenHash, revokedAt: null } });
  }

  touch(id: string, at: Date) {
    return this.prisma.apiToken.updateMany({ where: { id }, data: { lastUsedAt: at } });
  }

  create(
    db: Db,
    data: { name: string; role: Role; tokenHash: string; prefix: string; createdBy: string },
  ) {
    return db.apiToken.create({ data });
  }

  findById(db: Db, id: string) {
    return db.apiToken.findUnique({ where: { id } });
  }

  revoke(db: Db, id: string, by: string, at: Date) {
    return db.apiToken.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: at, revokedBy: by },
    });
  }

  list(limit: number, after?: { createdAt: Date; id: string }) {
    return this.prisma.apiToken.findMany({
      where: after
        ? {
            OR: [
              { createdAt: { gt: after.createdAt } },
              { createdAt: after.createdAt, id: { gt: after.id } },
            ],
          }
        : {},
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit + 1,
    });
  }
}
