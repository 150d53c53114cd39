import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AuditRepository } from '../audit/audit.repository.js';
import type { Principal } from '../auth/principal.js';
import { newApiToken, sha256 } from '../auth/secrets.js';
import { notFound } from '../common/problem.js';
import { decodeCursor, type Page, type PageQuery, toPage } from '../common/pagination.js';
import { PrismaService } from '../database/prisma.service.js';
import type { CreatedTokenSchema, CreateTokenSchema, TokenSchema } from './tokens.schemas.js';
import { TokensRepository } from './tokens.repository.js';
import type { ApiToken } from '../generated/prisma/client.js';

type TokenDto = z.output<typeof TokenSchema>;

const toDto = (t: ApiToken): TokenDto => ({
  id: t.id,
  name: t.name,
  role: t.role,
  prefix: t.prefix,
  createdAt: t.createdAt.toISOString(),
  createdBy: t.createdBy,
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
});

const Cursor = z.tuple([z.iso.datetime(), z.string()]);

@Injectable()
export class TokensService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tokens: TokensRepository,
    private readonly audit: AuditRepository,
  ) {}

  async list(query: PageQuery): Promise<Page<TokenDto>> {
    const after = query.cursor ? decodeCursor(query.cursor, Cursor) : undefined;
    const rows = await this.tokens.list(
      query.limit,
      after && { createdAt: new Date(after[0]), id: after[1] },
    );
    return toPage(rows, query.limit, (t) => [t.createdAt.toISOString(), t.id], toDto);
  }

  /** The secret is returned here once; only its sha256 is stored. */
  async create(
    input: z.output<typeof CreateTokenSchema>,
    by: Principal,
  ): Promise<z.output<typeof CreatedTokenSchema>> {
    const token = newApiToken();
    const row = await this.prisma.$transaction(async (tx) => {
      const created = await this.tokens.create(tx, {
        name: input.name,
        role: input.role,
        tokenHash: sha256(token),
        prefix: token.slice(0, 12),
        createdBy: by.actor,
      });
      await this.audit.record(tx, {
        actor: by.actor,
        action: 'token.create',
        target: `token:${created.id}`,
        details: { name: created.name, role: created.role },
      });
      return created;
    });
    return { ...toDto(row), token };
  }

  /** Revocation takes effect on the next request: every request looks the token up. */
  async revoke(id: string, by: Principal): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const token = await this.tokens.findById(tx, id);
      if (!token) throw notFound(`Token ${id}`);
      const { count } = await this.tokens.revoke(tx, id, by.actor, new Date());
      if (count === 0) return; // already revoked: idempotent
      await this.audit.record(tx, {
        actor: by.actor,
        action: 'token.revoke',
        target: `token:${id}`,
        details: { name: token.name },
      });
    });
  }
}
