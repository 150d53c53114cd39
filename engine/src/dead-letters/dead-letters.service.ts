import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { decodeCursor, type Page, type PageQuery, toPage } from '../common/pagination.js';
import { LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { DeadLettersRepository, type NewDeadLetter } from './dead-letters.repository.js';
import type { DeadLetterDto } from './dead-letters.schemas.js';

/**
 * Where an inbound event goes when it can never be applied — not because the database was away
 * (that is a 503, and ACS retries), but because applying it failed in a way a retry cannot fix:
 * it is kept with its raw body for a person to look at, and answered so that the sender stops.
 */
@Injectable()
export class DeadLettersService {
  constructor(
    private readonly repo: DeadLettersRepository,
    private readonly metrics: MetricsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async park(letter: NewDeadLetter): Promise<string> {
    const { id } = await this.repo.create(letter);
    this.metrics.deadLetters.inc({ source: letter.source });
    this.logger.error(
      {
        deadLetterId: id,
        source: letter.source,
        eventType: letter.eventType,
        eventId: letter.eventId,
        reason: letter.error,
      },
      'event parked in the dead-letter table',
    );
    return id;
  }

  async list(query: PageQuery): Promise<Page<DeadLetterDto>> {
    const after = query.cursor
      ? decodeCursor(query.cursor, z.tuple([z.string(), z.string()]))
      : undefined;
    const rows = await this.repo.list(
      query.limit,
      after ? { receivedAt: new Date(after[0]), id: after[1] } : undefined,
    );
    return toPage(
      rows,
      query.limit,
      (r) => [r.receivedAt.toISOString(), r.id],
      (r) => ({
        id: r.id,
        source: r.source as DeadLetterDto['source'],
        eventType: r.eventType,
        eventId: r.eventId,
        raw: r.raw,
        error: r.error,
        receivedAt: r.receivedAt.toISOString(),
      }),
    );
  }
}
