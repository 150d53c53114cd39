import { Injectable } from '@nestjs/common';
import { type Prisma, PrismaService } from '../database/prisma.service.js';

export interface NewDeadLetter {
  source: 'callback' | 'eventGrid';
  eventType: string;
  eventId?: string;
  raw: unknown;
  error: string;
}

@Injectable()
export class DeadLettersRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(letter: NewDeadLetter) {
    return this.prisma.deadLetter.create({
      data: {
        source: letter.source,
        eventType: letter.eventType.slice(0, 200),
        eventId: letter.eventId?.slice(0, 200) ?? null,
        raw: (letter.raw ?? null) as Prisma.InputJsonValue,
        error: letter.error.slice(0, 4000),
      },
      select: { id: true },
    });
  }

  /** Newest first; the cursor is the last row's (receivedAt, id). */
  list(limit: number, after?: { receivedAt: Date; id: string }) {
    return this.prisma.deadLetter.findMany({
      where: after
        ? {
            OR: [
              { receivedAt: { lt: after.receivedAt } },
              { receivedAt: after.receivedAt, id: { lt: after.id } },
            ],
          }
        : {},
      orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
  }
}
