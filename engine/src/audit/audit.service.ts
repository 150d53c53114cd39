import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { AuditRepository } from './audit.repository.js';
import type { AuditEntrySchema, AuditQuerySchema } from './audit.schemas.js';

const Cursor = z.tuple([z.iso.datetime(), z.string()]);

@Injectable()
export class AuditService {
  constructor(private readonly audit: AuditRepository) {}

  async list(
    query: z.output<typeof AuditQuerySchema>,
  ): Promise<Page<z.output<typeof AuditEntrySchema>>> {
    const after = query.cursor ? decodeCursor(query.cursor, Cursor) : undefined;
    const rows = await this.audit.list(
      query.limit,
      after ? { at: new Date(after[0]), id: after[1] } : undefined,
      query.target,
    );
    return toPage(
      rows,
      query.limit,
      (r) => [r.at.toISOString(), r.id],
      (r) => ({
        id: r.id,
        at: r.at.toISOString(),
        actor: r.actor,
        action: r.action,
        target: r.target,
        details: (r.details as Record<string, unknown> | null) ?? null,
      }),
    );
  }
}
