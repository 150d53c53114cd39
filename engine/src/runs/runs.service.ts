import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { compileFlow, type FlowDocument, type TraceEntry } from '@switchboard/flow';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { notFound, ProblemException } from '../common/problem.js';
import { FlowsRepository } from '../flows/flows.repository.js';
import { RunsQueryRepository } from './runs-query.repository.js';
import type {
  RunDetailDto,
  RunDto,
  RunListQuerySchema,
  RunStepDto,
  StartRunSchema,
} from './runs.schemas.js';
import { RuntimeService } from './runtime.service.js';
import type { StepRow } from './runs.repository.js';
import { z as zod } from 'zod';

type RunRow = NonNullable<Awaited<ReturnType<RunsQueryRepository['find']>>>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const toRunDto = (r: RunRow): RunDto => ({
  id: r.id,
  flowId: r.flowId,
  version: r.version,
  direction: r.direction as RunDto['direction'],
  status: r.status as RunDto['status'],
  endReason: r.endReason,
  currentNodeId: r.currentNodeId,
  from: r.fromAddress,
  to: r.toAddress,
  callConnectionId: r.callConnectionId,
  correlationId: r.correlationId,
  startedAt: r.startedAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
  endedAt: iso(r.endedAt),
  startedBy: r.startedBy,
});

export const toStepDto = (s: StepRow): RunStepDto => {
  const trace = s.trace;
  return {
    seq: s.seq,
    eventId: s.eventId,
    eventType: s.eventType,
    event: s.event ?? null,
    nodeId: s.nodeId,
    outcomes: trace
      .filter((t): t is Extract<TraceEntry, { kind: 'outcome' }> => t.kind === 'outcome')
      .map((t) => ({ nodeId: t.nodeId, outcome: t.outcome })),
    trace: trace as unknown as Record<string, unknown>[],
    actions: s.actions as Record<string, unknown>[],
    receivedAt: s.receivedAt.toISOString(),
    committedAt: s.committedAt.toISOString(),
    ms: s.committedAt.getTime() - s.receivedAt.getTime(),
  };
};

const CursorSchema = zod.tuple([zod.string(), zod.string()]);

/** Runs for systems and the designer: start outbound calls, list, inspect, cancel. */
@Injectable()
export class RunsService {
  constructor(
    private readonly runs: RunsQueryRepository,
    private readonly flows: FlowsRepository,
    private readonly runtime: RuntimeService,
  ) {}

  async startOutbound(
    input: z.output<typeof StartRunSchema>,
    by: Principal,
  ): Promise<RunDetailDto> {
    const flow = await this.flows.find(input.flowId);
    if (!flow) throw invalid('flowId', `flow ${input.flowId} does not exist`);
    if (flow.archivedAt)
      throw new ProblemException(409, 'conflict', `Flow ${input.flowId} is archived`);
    const n = input.version ?? flow.versions[0]?.version;
    if (n === undefined) {
      throw new ProblemException(
        409,
        'conflict',
        `Flow ${input.flowId} has no published version yet`,
      );
    }
    const version = await this.flows.findVersion(input.flowId, n);
    if (!version) throw invalid('version', `flow ${input.flowId} has no version ${n}`);
    const document = version.document as unknown as FlowDocument;
    const compiled = compileFlow(document);
    if (compiled.trigger?.desc.trigger !== 'outbound') {
      throw new ProblemException(
        422,
        'not-outbound',
        `Version ${n} of flow ${input.flowId} does not start with an outbound-call trigger`,
      );
    }
    const runId = randomUUID();
    await this.runtime.startRun({
      flowId: flow.id,
      flowVersionId: version.id,
      version: version.version,
      document,
      trigger: {
        kind: 'outbound',
        runId,
        targets: input.targets,
        ...(input.callerId ? { callerId: input.callerId } : {}),
        ...(input.variables ? { variables: input.variables } : {}),
      },
      startedBy: by.actor,
      receivedAt: Date.now(),
    });
    return this.get(runId);
  }

  async list(query: z.output<typeof RunListQuerySchema>): Promise<Page<RunDto>> {
    const after = query.cursor ? decodeCursor(query.cursor, CursorSchema) : undefined;
    const rows = await this.runs.list(
      {
        ...(query.flowId ? { flowId: query.flowId } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.from ? { from: new Date(query.from) } : {}),
        ...(query.to ? { to: new Date(query.to) } : {}),
        ...(query.number ? { number: query.number } : {}),
      },
      query.limit,
      after ? { startedAt: new Date(after[0]), id: after[1] } : undefined,
    );
    return toPage(rows, query.limit, (r) => [r.startedAt.toISOString(), r.id], toRunDto);
  }

  async get(id: string): Promise<RunDetailDto> {
    const run = await this.runs.find(id);
    if (!run) throw notFound(`Run ${id}`);
    const steps = await this.runs.steps(id);
    const state = run.state as {
      vars?: Record<string, string>;
      awaiting?: { nodeId: string; operationContext: string };
    };
    return {
      ...toRunDto(run),
      variables: state.vars ?? {},
      awaiting: state.awaiting
        ? {
            nodeId: state.awaiting.nodeId,
            operationContext: state.awaiting.operationContext,
            deadline: iso(run.deadline),
          }
        : null,
      steps: steps.map((s) => toStepDto(s as unknown as StepRow)),
    };
  }

  /** Hangs up (if the run holds a call) and ends the run with reason `cancelled`. */
  async cancel(id: string, by: Principal): Promise<RunDetailDto> {
    const run = await this.runs.find(id);
    if (!run) throw notFound(`Run ${id}`);
    if (run.status === 'running') {
      await this.runtime.engineEvent(id, { id: `cancel:${id}`, type: 'Cancel' });
      this.runtime.callLogger(id).info({ by: by.actor }, 'run cancelled');
    }
    return this.get(id);
  }

  async exists(id: string): Promise<boolean> {
    return (await this.runs.find(id)) !== null;
  }
}

const invalid = (path: string, message: string) =>
  new ProblemException(422, 'invalid-reference', `${path}: ${message}`, {
    errors: [{ path, message }],
  });
