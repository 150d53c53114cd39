import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';

@Injectable()
export class PresenceRepository {
  constructor(private readonly prisma: PrismaService) {}

  beat(row: { flowId: string; tabId: string; userId: string; userName: string; seenAt: Date }) {
    const { flowId, tabId, ...rest } = row;
    return this.prisma.flowPresence.upsert({
      where: { flowId_tabId: { flowId, tabId } },
      create: row,
      // A tab id belongs to the first user that sent it: another user cannot take it over.
      update: { seenAt: rest.seenAt },
    });
  }

  /** Tabs of the flow seen since `since`, but `tabId`. */
  others(flowId: string, tabId: string, since: Date) {
    return this.prisma.flowPresence.findMany({
      where: { flowId, tabId: { not: tabId }, seenAt: { gte: since } },
      orderBy: { seenAt: 'desc' },
      take: 50,
    });
  }

  /** Rows of tabs long gone (any flow). */
  forget(before: Date) {
    return this.prisma.flowPresence.deleteMany({ where: { seenAt: { lt: before } } });
  }

  leave(flowId: string, tabId: string, userId: string) {
    return this.prisma.flowPresence.deleteMany({ where: { flowId, tabId, userId } });
  }
}
