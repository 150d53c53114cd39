import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';

@Injectable()
export class SessionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(data: { id: string; userId: string; expiresAt: Date }) {
    return this.prisma.session.create({ data });
  }

  /** A live session with its user. */
  findLive(id: string, now: Date) {
    return this.prisma.session.findFirst({
      where: { id, expiresAt: { gt: now } },
      include: { user: true },
    });
  }

  touch(id: string, now: Date) {
    return this.prisma.session.updateMany({ where: { id }, data: { lastSeenAt: now } });
  }

  delete(id: string) {
    return this.prisma.session.deleteMany({ where: { id } });
  }

  deleteExpired(now: Date) {
    return this.prisma.session.deleteMany({ where: { expiresAt: { lte: now } } });
  }
}
