import { Injectable } from '@nestjs/common';
import type { FlowDocument } from '@switchboard/flow';
import { type Db, Prisma, PrismaService } from '../database/prisma.service.js';

const json = (doc: FlowDocument) => doc as unknown as Prisma.InputJsonValue;

const latestVersionInclude = {
  versions: { select: { version: true }, orderBy: { version: 'desc' }, take: 1 },
} satisfies Prisma.FlowInclude;

/** Flows and their versions in Prisma. Versions are only ever inserted. */
@Injectable()
export class FlowsRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(db: Db, data: { name: string; description: string; draft: FlowDocument; by: string }) {
    return db.flow.create({
      data: {
        name: data.name,
        description: data.description,
        draft: json(data.draft),
        createdBy: data.by,
        updatedBy: data.by,
      },
      include: latestVersionInclude,
    });
  }

  find(id: string, db: Db = this.prisma) {
    return db.flow.findUnique({ where: { id }, include: latestVersionInclude });
  }

  /** Locks the flow row until the transaction ends (publish, rollback, archive, bind). */
  async lock(tx: Db, id: string, mode: 'UPDATE' | 'SHARE' = 'UPDATE'): Promise<boolean> {
    const rows =
      mode === 'UPDATE'
        ? await tx.$queryRaw<
            { id: string }[]
          >`SELECT "id" FROM "Flow" WHERE "id" = ${id} FOR UPDATE`
        : await tx.$queryRaw<
            { id: string }[]
          >`SELECT "id" FROM "Flow" WHERE "id" = ${id} FOR SHARE`;
    return rows.length > 0;
  }

  /** Newest first; `after` is the last row of the previous page. */
  list(limit: number, includeArchived: boolean, after?: { createdAt: Date; id: string }) {
    return this.prisma.flow.findMany({
      where: {
        ...(includeArchived ? {} : { archivedAt: null }),
        ...(after
          ? {
              OR: [
                { createdAt: { lt: after.createdAt } },
                { createdAt: after.createdAt, id: { lt: after.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      omit: { draft: true },
      include: latestVersionInclude,
    });
  }

  /**
   * Saves the draft only if its revision is still `expectedRevision` and the flow is not
   * archived (one atomic UPDATE). Returns false when nothing was saved.
   */
  async saveDraft(
    db: Db,
    id: string,
    expectedRevision: number,
    draft: FlowDocument,
    by: string,
    at: Date,
  ): Promise<boolean> {
    const { count } = await db.flow.updateMany({
      where: { id, draftRevision: expectedRevision, archivedAt: null },
      data: {
        draft: json(draft),
        name: draft.name,
        description: draft.description ?? '',
        draftRevision: { increment: 1 },
        updatedAt: at,
        updatedBy: by,
      },
    });
    return count === 1;
  }

  archive(db: Db, id: string, by: string, at: Date) {
    return db.flow.update({ where: { id }, data: { archivedAt: at, archivedBy: by } });
  }

  async latestVersion(db: Db, flowId: string): Promise<number | null> {
    const agg = await db.flowVersion.aggregate({ where: { flowId }, _max: { version: true } });
    return agg._max.version;
  }

  insertVersion(
    db: Db,
    data: {
      flowId: string;
      version: number;
      document: FlowDocument;
      checksum: string;
      publishedBy: string;
      comment: string;
      copiedFrom: number | null;
    },
  ) {
    return db.flowVersion.create({
      data: { ...data, document: json(data.document) },
      omit: { document: true },
    });
  }

  findVersion(flowId: string, version: number, db: Db = this.prisma) {
    return db.flowVersion.findUnique({ where: { flowId_version: { flowId, version } } });
  }

  /** Newest first, without documents. */
  listVersions(flowId: string, limit: number, beforeVersion?: number) {
    return this.prisma.flowVersion.findMany({
      where: { flowId, ...(beforeVersion !== undefined ? { version: { lt: beforeVersion } } : {}) },
      orderBy: { version: 'desc' },
      take: limit + 1,
      omit: { document: true },
    });
  }

  entryPointAddresses(db: Db, flowId: string) {
    return db.entryPoint.findMany({
      where: { flowId },
      select: { address: true },
      orderBy: { address: 'asc' },
    });
  }
}
