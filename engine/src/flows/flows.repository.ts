import { randomUUID } from 'node:crypto';
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

  /** The first flow not archived with this name (the examples are found by name). */
  findByName(name: string) {
    return this.prisma.flow.findFirst({
      where: { name, archivedAt: null },
      orderBy: { createdAt: 'asc' },
      include: latestVersionInclude,
    });
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

  /** Every published version of a flow with its document, oldest first. */
  versionsWithDocuments(flowId: string) {
    return this.prisma.flowVersion.findMany({
      where: { flowId },
      orderBy: { version: 'asc' },
      select: { id: true, version: true, document: true },
    });
  }

  /** A published version (null: the latest) with its document. */
  versionWithDocument(flowId: string, version: number | null) {
    return this.prisma.flowVersion.findFirst({
      where: { flowId, ...(version !== null ? { version } : {}) },
      orderBy: { version: 'desc' },
      select: { id: true, version: true, document: true },
    });
  }

  /** The id and number of a published version (null: the latest), without its document. */
  resolveVersion(flowId: string, version: number | null) {
    return this.prisma.flowVersion.findFirst({
      where: { flowId, ...(version !== null ? { version } : {}) },
      orderBy: { version: 'desc' },
      select: { id: true, version: true },
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

  /**
   * The document a run walks, by the id it is pinned to: a published version's, or the snapshot
   * of a draft a test call ran (the ids never collide: UUIDs).
   */
  async documentOf(flowVersionId: string): Promise<FlowDocument | null> {
    const version = await this.prisma.flowVersion.findUnique({
      where: { id: flowVersionId },
      select: { document: true },
    });
    if (version) return version.document as unknown as FlowDocument;
    const snapshot = await this.prisma.draftSnapshot.findUnique({
      where: { id: flowVersionId },
      select: { document: true },
    });
    return (snapshot?.document as unknown as FlowDocument | undefined) ?? null;
  }

  /**
   * The id of the snapshot of this draft revision (one per revision, shared by its test runs).
   * One statement, so concurrent test calls of the same revision agree on one row.
   */
  async snapshotDraft(
    flowId: string,
    draftRevision: number,
    document: FlowDocument,
    by: string,
  ): Promise<string> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      INSERT INTO "DraftSnapshot" (id, "flowId", "draftRevision", document, "createdBy")
      VALUES (${randomUUID()}, ${flowId}, ${draftRevision}, ${JSON.stringify(document)}::jsonb, ${by})
      ON CONFLICT ("flowId", "draftRevision") DO UPDATE SET id = "DraftSnapshot".id
      RETURNING id`;
    return rows[0]!.id;
  }

  /** Deletes draft snapshots older than `before` that no run uses any more. */
  deleteUnusedSnapshots(before: Date) {
    return this.prisma.$executeRaw`
      DELETE FROM "DraftSnapshot" d
      WHERE d."createdAt" < (${before.toISOString()}::timestamptz AT TIME ZONE 'UTC')
        AND d.id NOT IN (SELECT "flowVersionId" FROM "Run" WHERE test)`;
  }

  entryPointAddresses(db: Db, flowId: string) {
    return db.entryPoint.findMany({
      where: { flowId },
      select: { address: true },
      orderBy: { address: 'asc' },
    });
  }
}
