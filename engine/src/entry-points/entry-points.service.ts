import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AuditRepository } from '../audit/audit.repository.js';
import type { Principal } from '../auth/principal.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { conflict, notFound, ProblemException } from '../common/problem.js';
import { PrismaService } from '../database/prisma.service.js';
import { FlowsRepository } from '../flows/flows.repository.js';
import type {
  BindSchema,
  EntryPointDto,
  EntryPointListQuerySchema,
} from './entry-points.schemas.js';
import { EntryPointsRepository } from './entry-points.repository.js';

type Row = NonNullable<Awaited<ReturnType<EntryPointsRepository['find']>>>;

const toDto = (e: Row): EntryPointDto => ({
  address: e.address,
  flowId: e.flowId,
  flowName: e.flow.name,
  version: e.version,
  effectiveVersion: e.version ?? e.flow.versions[0]?.version ?? null,
  createdAt: e.createdAt.toISOString(),
  createdBy: e.createdBy,
  updatedAt: e.updatedAt.toISOString(),
  updatedBy: e.updatedBy,
});

const invalid = (path: string, message: string) =>
  new ProblemException(422, 'invalid-reference', `${path}: ${message}`, {
    errors: [{ path, message }],
  });

@Injectable()
export class EntryPointsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly entryPoints: EntryPointsRepository,
    private readonly flows: FlowsRepository,
    private readonly audit: AuditRepository,
  ) {}

  async list(query: z.output<typeof EntryPointListQuerySchema>): Promise<Page<EntryPointDto>> {
    const after = query.cursor ? decodeCursor(query.cursor, z.string()) : undefined;
    const rows = await this.entryPoints.list(query.limit, after, query.flowId);
    return toPage(rows, query.limit, (e) => e.address, toDto);
  }

  async get(address: string): Promise<EntryPointDto> {
    const row = await this.entryPoints.find(address);
    if (!row) throw notFound(`Entry point ${address}`);
    return toDto(row);
  }

  /** Binds (or rebinds) an address to a flow, pinned to a version or following the latest. */
  async bind(
    address: string,
    input: z.output<typeof BindSchema>,
    by: Principal,
  ): Promise<EntryPointDto> {
    const version = input.version ?? null;
    return this.prisma.$transaction(async (tx) => {
      // Share-lock the flow so it cannot be archived while we bind it.
      if (!(await this.flows.lock(tx, input.flowId, 'SHARE'))) {
        throw invalid('flowId', `flow ${input.flowId} does not exist`);
      }
      const flow = await this.flows.find(input.flowId, tx);
      if (!flow) throw invalid('flowId', `flow ${input.flowId} does not exist`);
      if (flow.archivedAt) throw conflict(`“${flow.name}” is archived`);
      if (version !== null) {
        if (!(await this.flows.findVersion(input.flowId, version, tx))) {
          throw invalid('version', `“${flow.name}” has no version ${version}`);
        }
      } else if (flow.versions.length === 0) {
        throw conflict(`“${flow.name}” has no published version yet; publish it first`);
      }
      const previous = await this.entryPoints.find(address, tx);
      const row = await this.entryPoints.upsert(
        tx,
        address,
        input.flowId,
        version,
        by.actor,
        new Date(),
      );
      await this.audit.record(tx, {
        actor: by.actor,
        action: 'entryPoint.bind',
        target: `entryPoint:${address}`,
        details: {
          flowId: input.flowId,
          version,
          ...(previous ? { previous: { flowId: previous.flowId, version: previous.version } } : {}),
        },
      });
      return toDto(row);
    });
  }

  async unbind(address: string, by: Principal): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const previous = await this.entryPoints.find(address, tx);
      if (!previous) throw notFound(`Entry point ${address}`);
      await this.entryPoints.delete(tx, address);
      await this.audit.record(tx, {
        actor: by.actor,
        action: 'entryPoint.unbind',
        target: `entryPoint:${address}`,
        details: { flowId: previous.flowId, version: previous.version },
      });
    });
  }
}
