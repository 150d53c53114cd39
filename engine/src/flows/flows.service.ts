import { EnvironmentService } from '../environment/environment.service.js';
import { Inject, Injectable } from '@nestjs/common';
import {
  defaultConfig,
  formatTarget,
  type FlowDocument,
  runScenarios,
  SCHEMA_VERSION,
  type ValidationIssue,
  validateFlow,
  type EnvironmentNames,
} from '@switchboard/flow';
import { z } from 'zod';
import { AuditRepository } from '../audit/audit.repository.js';
import type { Principal } from '../auth/principal.js';
import { documentChecksum } from '../common/canonical-json.js';
import { decodeCursor, type Page, type PageQuery, toPage } from '../common/pagination.js';
import { conflict, formatPath, notFound, ProblemException } from '../common/problem.js';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { PrismaService } from '../database/prisma.service.js';
import type { Flow, FlowVersion } from '../generated/prisma/client.js';
import type {
  CreateFlowSchema,
  FlowDetail,
  FlowListQuerySchema,
  FlowSummary,
  PublishSchema,
  RollbackSchema,
  Version,
  VersionSummary,
} from './flows.schemas.js';
import { FlowsRepository } from './flows.repository.js';
import { type LoadedSubflows, PublishedSubflows } from './published-subflows.js';

type FlowRow = Omit<Flow, 'draft'> & { draft?: unknown; versions: { version: number }[] };

const toSummary = (f: FlowRow): FlowSummary => ({
  id: f.id,
  name: f.name,
  description: f.description,
  revision: f.draftRevision,
  latestVersion: f.versions[0]?.version ?? null,
  createdAt: f.createdAt.toISOString(),
  createdBy: f.createdBy,
  updatedAt: f.updatedAt.toISOString(),
  updatedBy: f.updatedBy,
  archivedAt: f.archivedAt?.toISOString() ?? null,
});

const toVersionSummary = (v: Omit<FlowVersion, 'document'>): VersionSummary => ({
  flowId: v.flowId,
  version: v.version,
  checksum: v.checksum,
  publishedBy: v.publishedBy,
  publishedAt: v.publishedAt.toISOString(),
  comment: v.comment,
  copiedFrom: v.copiedFrom,
});

/** A new flow's draft: an incoming-call trigger, ready to wire. */
function starterDocument(name: string, description: string | undefined): FlowDocument {
  return {
    schemaVersion: SCHEMA_VERSION,
    name,
    ...(description ? { description } : {}),
    nodes: [
      {
        id: 'trigger',
        type: 'trigger.incomingCall',
        label: 'Incoming call',
        position: { x: 0, y: 0 },
        config: { ...(defaultConfig('trigger.incomingCall') ?? {}) },
      },
    ],
    edges: [],
  };
}

/** Parses `If-Match: 3`, `"3"` or `W/"3"`. */
function parseIfMatch(header: string | undefined): number {
  if (header === undefined || header.trim() === '') {
    throw new ProblemException(
      428,
      'precondition-required',
      'Saving a draft needs the If-Match header with the revision you edited (from GET /api/flows/{id})',
    );
  }
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) {
    throw new ProblemException(
      400,
      'validation-error',
      'The If-Match header must be a draft revision number',
      {
        errors: [{ path: 'If-Match', message: 'must be a draft revision number' }],
      },
    );
  }
  return Number(match[1]);
}

const Cursor = z.tuple([z.iso.datetime(), z.string()]);

/**
 * Publishing or rolling back "revision N" of a draft someone has since saved again would act on
 * what the caller never saw: a 409 that says who moved it, and to which revision.
 */
function assertRevision(
  flow: { draftRevision: number; updatedBy: string; updatedAt: Date },
  revision: number | undefined,
): void {
  if (revision === undefined || revision === flow.draftRevision) return;
  throw conflict(
    `The draft moved to revision ${flow.draftRevision} (saved by ${flow.updatedBy}) since revision ${revision}`,
    {
      currentRevision: flow.draftRevision,
      updatedBy: flow.updatedBy,
      updatedAt: flow.updatedAt.toISOString(),
    },
  );
}

@Injectable()
export class FlowsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly flows: FlowsRepository,
    private readonly audit: AuditRepository,
    private readonly environment: EnvironmentService,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    private readonly subflows: PublishedSubflows,
  ) {}

  /** 413 for documents over the configured node count or size. */
  checkLimits(doc: FlowDocument): void {
    const { maxDocumentNodes, maxDocumentBytes } = this.config;
    if (doc.nodes.length > maxDocumentNodes) {
      throw new ProblemException(
        413,
        'document-too-large',
        `The flow has ${doc.nodes.length} nodes; the limit is ${maxDocumentNodes}`,
        { errors: [{ path: 'nodes', message: `at most ${maxDocumentNodes} nodes` }] },
      );
    }
    const bytes = Buffer.byteLength(JSON.stringify(doc));
    if (bytes > maxDocumentBytes) {
      throw new ProblemException(
        413,
        'document-too-large',
        `The flow document is ${bytes} bytes; the limit is ${maxDocumentBytes}`,
      );
    }
  }

  async list(query: z.output<typeof FlowListQuerySchema>): Promise<Page<FlowSummary>> {
    const after = query.cursor ? decodeCursor(query.cursor, Cursor) : undefined;
    const rows = await this.flows.list(
      query.limit,
      query.includeArchived,
      after && { createdAt: new Date(after[0]), id: after[1] },
    );
    return toPage(rows, query.limit, (f) => [f.createdAt.toISOString(), f.id], toSummary);
  }

  async get(id: string): Promise<FlowDetail> {
    const flow = await this.flows.find(id);
    if (!flow) throw notFound(`Flow ${id}`);
    const versions = await this.flows.listVersions(id, 100);
    return {
      ...toSummary(flow),
      draft: flow.draft as unknown as FlowDocument,
      versions: versions.slice(0, 100).map(toVersionSummary),
    };
  }

  async create(input: z.output<typeof CreateFlowSchema>, by: Principal): Promise<FlowDetail> {
    const draft: FlowDocument = input.document
      ? {
          ...input.document,
          name: input.name,
          description: input.description ?? input.document.description,
        }
      : starterDocument(input.name, input.description);
    if (draft.description === undefined) delete draft.description;
    return this.insert(draft, by, 'flow.create');
  }

  /** A document (e.g. exported elsewhere) becomes a new flow, node and edge ids kept. */
  async import(
    doc: FlowDocument,
    by: Principal,
  ): Promise<{ flow: FlowDetail; issues: ValidationIssue[] }> {
    const issues = validateFlow(doc, { environment: await this.environment.names() });
    const flow = await this.insert(doc, by, 'flow.import');
    return { flow, issues };
  }

  private async insert(draft: FlowDocument, by: Principal, action: string): Promise<FlowDetail> {
    this.checkLimits(draft);
    const flow = await this.prisma.$transaction(async (tx) => {
      const created = await this.flows.create(tx, {
        name: draft.name,
        description: draft.description ?? '',
        draft,
        by: by.actor,
      });
      await this.audit.record(tx, {
        actor: by.actor,
        action,
        target: `flow:${created.id}`,
        details: { name: created.name },
      });
      return created;
    });
    return { ...toSummary(flow), draft, versions: [] };
  }

  /**
   * Saves the draft if `If-Match` names its current revision (one atomic UPDATE); otherwise 409
   * with the current revision and who saved it.
   */
  async saveDraft(
    id: string,
    ifMatch: string | undefined,
    draft: FlowDocument,
    by: Principal,
  ): Promise<{ id: string; revision: number; updatedAt: string; updatedBy: string }> {
    const expected = parseIfMatch(ifMatch);
    this.checkLimits(draft);
    const at = new Date();
    const saved = await this.flows.saveDraft(this.prisma, id, expected, draft, by.actor, at);
    if (saved)
      return { id, revision: expected + 1, updatedAt: at.toISOString(), updatedBy: by.actor };
    const flow = await this.flows.find(id);
    if (!flow) throw notFound(`Flow ${id}`);
    if (flow.archivedAt) throw conflict(`“${flow.name}” is archived; its draft cannot change`);
    throw conflict(
      `The draft was changed by ${flow.updatedBy} at ${flow.updatedAt.toISOString()} (revision ${flow.draftRevision}); ` +
        `you edited revision ${expected}. Reload it and apply your changes again.`,
      {
        currentRevision: flow.draftRevision,
        updatedBy: flow.updatedBy,
        updatedAt: flow.updatedAt.toISOString(),
      },
    );
  }

  /**
   * Changes the saved draft on the server (e.g. a scenario saved from a run): the flow is locked,
   * `change` gets a copy of the current draft and returns the new one, which is saved as PUT
   * draft saves it (size limits, one more revision). 404 / 409 (archived) as for publishing.
   */
  async changeDraft(
    id: string,
    by: Principal,
    change: (draft: FlowDocument) => FlowDocument,
  ): Promise<{ id: string; revision: number; updatedAt: string; updatedBy: string }> {
    return this.prisma.$transaction(async (tx) => {
      const flow = await this.lockedFlow(tx, id);
      const draft = change(structuredClone(flow.draft as unknown as FlowDocument));
      this.checkLimits(draft);
      const at = new Date();
      const saved = await this.flows.saveDraft(tx, id, flow.draftRevision, draft, by.actor, at);
      if (!saved) throw conflict(`“${flow.name}” is archived; its draft cannot change`);
      return {
        id,
        revision: flow.draftRevision + 1,
        updatedAt: at.toISOString(),
        updatedBy: by.actor,
      };
    });
  }

  async validate(
    id: string,
    doc: FlowDocument | undefined,
  ): Promise<{ issues: ValidationIssue[] }> {
    const environment = await this.environment.names();
    if (doc)
      return {
        issues: validateFlow(doc, { subflows: await this.subflows.load([doc], id), environment }),
      };
    const flow = await this.flows.find(id);
    if (!flow) throw notFound(`Flow ${id}`);
    const draft = flow.draft as unknown as FlowDocument;
    return {
      issues: validateFlow(draft, { subflows: await this.subflows.load([draft], id), environment }),
    };
  }

  /** Validates the saved draft on the server and publishes it as the next version. */
  async publish(
    id: string,
    input: z.output<typeof PublishSchema>,
    by: Principal,
  ): Promise<VersionSummary> {
    const environment = await this.environment.names();
    const env = await this.environment.runtimeValues();
    return this.prisma.$transaction(async (tx) => {
      const flow = await this.lockedFlow(tx, id);
      assertRevision(flow, input.revision);
      // Checked against the subflows published now: the versions a call would run.
      const document = flow.draft as unknown as FlowDocument;
      const subflows = await this.subflows.load([document], id);
      assertDraftValid(flow.draft, 'publishing', subflows, environment);
      assertScenariosPass(document, subflows, env);
      const version = await this.nextVersion(tx, id, document, by, input.comment, null);
      await this.audit.record(tx, {
        actor: by.actor,
        action: 'flow.publish',
        target: `flow:${id}`,
        details: {
          version: version.version,
          checksum: version.checksum,
          revision: flow.draftRevision,
          comment: input.comment,
        },
      });
      return version;
    });
  }

  /**
   * Publishes a copy of an earlier version as a new version and replaces the draft with it,
   * so the next publish does not bring the rolled-back change back. With `revision`, refused
   * (409) if the draft moved since the caller looked at it.
   */
  async rollback(
    id: string,
    input: z.output<typeof RollbackSchema>,
    by: Principal,
  ): Promise<VersionSummary & { draftRevision: number }> {
    return this.prisma.$transaction(async (tx) => {
      const flow = await this.lockedFlow(tx, id);
      assertRevision(flow, input.revision);
      const source = await this.flows.findVersion(id, input.version, tx);
      if (!source) throw notFound(`Version ${input.version} of flow ${id}`);
      const comment = input.comment ?? `Rollback to version ${input.version}`;
      const document = source.document as unknown as FlowDocument;
      const version = await this.nextVersion(tx, id, document, by, comment, input.version);
      const replaced = await this.flows.saveDraft(
        tx,
        id,
        flow.draftRevision,
        document,
        by.actor,
        new Date(),
      );
      if (!replaced) throw conflict(`Flow ${id} is archived`);
      await this.audit.record(tx, {
        actor: by.actor,
        action: 'flow.rollback',
        target: `flow:${id}`,
        details: {
          version: version.version,
          copiedFrom: input.version,
          comment,
          replacedDraftRevision: flow.draftRevision,
        },
      });
      return { ...version, draftRevision: flow.draftRevision + 1 };
    });
  }

  async listVersions(id: string, query: PageQuery): Promise<Page<VersionSummary>> {
    const before = query.cursor ? decodeCursor(query.cursor, z.number().int()) : undefined;
    if (!(await this.flows.find(id))) throw notFound(`Flow ${id}`);
    const rows = await this.flows.listVersions(id, query.limit, before);
    return toPage(rows, query.limit, (v) => v.version, toVersionSummary);
  }

  async getVersion(id: string, version: number): Promise<Version> {
    const row = await this.flows.findVersion(id, version);
    if (!row) throw notFound(`Version ${version} of flow ${id}`);
    return { ...toVersionSummary(row), document: row.document as unknown as FlowDocument };
  }

  /** The draft, or a published version, with a file name for the download. */
  async export(
    id: string,
    version: number | undefined,
  ): Promise<{ filename: string; document: FlowDocument }> {
    const flow = await this.flows.find(id);
    if (!flow) throw notFound(`Flow ${id}`);
    const document =
      version === undefined
        ? (flow.draft as unknown as FlowDocument)
        : (await this.getVersion(id, version)).document;
    const base = flow.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'flow';
    return { filename: `${base}${version === undefined ? '' : `-v${version}`}.json`, document };
  }

  /** Archives the flow; refused while an entry point uses it. */
  async archive(id: string, by: Principal): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      if (!(await this.flows.lock(tx, id))) throw notFound(`Flow ${id}`);
      const flow = await this.flows.find(id, tx);
      if (!flow || flow.archivedAt) return;
      const bound = await this.flows.entryPointAddresses(tx, id);
      if (bound.length > 0) {
        const addresses = bound.map((e) => e.address);
        // Named as an analyst knows them: the flow by its name, the numbers as they are dialled.
        const numbers = addresses.map((a) => formatTarget(a));
        throw conflict(
          `“${flow.name}” answers ${numbers.join(', ')}; unbind ${numbers.length === 1 ? 'that number' : 'those numbers'} in Entry points first, then archive it`,
          {
            entryPoints: addresses,
          },
        );
      }
      await this.flows.archive(tx, id, by.actor, new Date());
      await this.audit.record(tx, {
        actor: by.actor,
        action: 'flow.archive',
        target: `flow:${id}`,
        details: { name: flow.name },
      });
    });
  }

  private async lockedFlow(tx: Parameters<FlowsRepository['lock']>[0], id: string) {
    if (!(await this.flows.lock(tx, id))) throw notFound(`Flow ${id}`);
    const flow = await this.flows.find(id, tx);
    if (!flow) throw notFound(`Flow ${id}`);
    if (flow.archivedAt) throw conflict(`“${flow.name}” is archived`);
    return flow;
  }

  private async nextVersion(
    tx: Parameters<FlowsRepository['lock']>[0],
    flowId: string,
    document: FlowDocument,
    by: Principal,
    comment: string,
    copiedFrom: number | null,
  ): Promise<VersionSummary> {
    const latest = (await this.flows.latestVersion(tx, flowId)) ?? 0;
    const row = await this.flows.insertVersion(tx, {
      flowId,
      version: latest + 1,
      document,
      checksum: documentChecksum(document),
      publishedBy: by.actor,
      comment,
      copiedFrom,
    });
    return toVersionSummary(row);
  }
}

/**
 * Throws the 422 that lists a draft's errors (publishing and test calls refuse a draft the
 * validator finds errors in; warnings pass). `before` names what is refused.
 */
export function assertDraftValid(
  draft: unknown,
  before: string,
  subflows?: LoadedSubflows,
  environment?: EnvironmentNames,
): void {
  const issues = validateFlow(draft, {
    ...(subflows ? { subflows } : {}),
    ...(environment ? { environment } : {}),
  });
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length === 0) return;
  throw new ProblemException(
    422,
    'invalid-flow',
    `The draft has ${errors.length} error${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} before ${before}. First: ${errors[0]!.message}`,
    {
      issues,
      errors: errors.map((i) => ({ path: formatPath(i.path), message: i.message })),
    },
  );
}

/**
 * The per-flow gate: with `scenariosMustPass`, publishing is refused (422 `scenarios-failing`)
 * while a scenario of the draft fails; `failures` lists each failing scenario with its reasons.
 */
export function assertScenariosPass(
  doc: FlowDocument,
  subflows?: LoadedSubflows,
  env?: Readonly<Record<string, string>>,
): void {
  if (!doc.scenariosMustPass) return;
  const results = runScenarios(doc, { ...(subflows ? { subflows } : {}), ...(env ? { env } : {}) });
  const failing = results.flatMap((r, i) => (r.passed ? [] : [{ index: i, result: r }]));
  if (failing.length === 0) return;
  const n = failing.length;
  const names = failing.slice(0, 5).map((f) => `“${f.result.name}”`);
  if (n > 5) names.push(`and ${n - 5} more`);
  throw new ProblemException(
    422,
    'scenarios-failing',
    `${n} scenario${n === 1 ? ' fails' : 's fail'}: ${names.join(', ')}. Fix the flow or the ${n === 1 ? 'scenario' : 'scenarios'}, or turn off “Scenarios must pass”, before publishing`,
    {
      failures: failing.map((f) => ({ name: f.result.name, failures: f.result.failures })),
      errors: failing.map((f) => ({
        path: `scenarios[${f.index}]`,
        message: `“${f.result.name}”: ${f.result.failures.join('; ')}`,
      })),
    },
  );
}
