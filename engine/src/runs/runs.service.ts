import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  compileFlow,
  type FlowDocument,
  showSecretMarkers,
  type TraceEntry,
} from '@switchboard/flow';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { notFound, ProblemException } from '../common/problem.js';
import { FlowsRepository } from '../flows/flows.repository.js';
import { TestAcs, type TestCallView } from '../acs/test-acs.js';
import type { Prisma } from '../database/prisma.service.js';
import { RunMasker } from './run-masker.js';
import { RunsQueryRepository, type RunListRow } from './runs-query.repository.js';
import type {
  RunDetailDto,
  RunDto,
  RunListQuerySchema,
  RunStepDto,
  StartRunSchema,
  TestCallDto,
} from './runs.schemas.js';
import { RuntimeService } from '../runtime/runtime.service.js';
import type { StepRow } from './runs-query.repository.js';
import { z as zod } from 'zod';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const toRunDto = (r: RunListRow): RunDto => {
  const offset = Number(r.clockOffsetMs);
  return {
    id: r.id,
    flowId: r.flowId,
    version: r.version === 0 ? null : r.version,
    draft: r.version === 0,
    test: r.test,
    clock: r.test && offset !== 0 ? new Date(r.startedAt.getTime() + offset).toISOString() : null,
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
  };
};

/** An HTTP request's secret markers as people read them: `{{ secret.NAME }}` (never a value). */
function readableAction(a: Record<string, unknown>): Record<string, unknown> {
  if (a.kind !== 'httpRequest' || !Array.isArray(a.headers)) return a;
  return {
    ...a,
    headers: (a.headers as { name: string; value: string }[]).map((h) => ({
      ...h,
      value: showSecretMarkers(String(h.value)),
    })),
  };
}

/** A step record as the API shows it; `variables` are the run's after it (carried forward). */
export const toStepDto = (s: StepRow, variables: Record<string, string>): RunStepDto => {
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
    actions: (s.actions as Record<string, unknown>[]).map(readableAction),
    variables,
    receivedAt: s.receivedAt.toISOString(),
    committedAt: s.committedAt.toISOString(),
    ms: s.committedAt.getTime() - s.receivedAt.getTime(),
  };
};

/** Operation context → node, from the actions the run sent (what a heard prompt belongs to). */
function nodesByContext(steps: RunStepDto[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const step of steps) {
    for (const a of step.actions) {
      if (typeof a.operationContext === 'string' && typeof a.nodeId === 'string') {
        m.set(a.operationContext, a.nodeId);
      }
    }
  }
  return m;
}

const CursorSchema = zod.tuple([zod.string(), zod.string()]);

/**
 * A `runner` token (a system that starts and watches runs) sees only the runs it started:
 * others' calls — their callers' numbers and the digits they entered — are none of its business,
 * and it cannot hang them up. People (viewer and above) see every run.
 */
const scopedToOwnRuns = (me: Principal) => me.role === 'runner';
const canSee = (run: { startedBy: string }, me: Principal | undefined) =>
  !me || !scopedToOwnRuns(me) || run.startedBy === me.actor;

/** Runs for systems and the designer: start outbound calls, list, inspect, cancel. */
@Injectable()
export class RunsService {
  constructor(
    private readonly runs: RunsQueryRepository,
    private readonly flows: FlowsRepository,
    private readonly runtime: RuntimeService,
    private readonly testAcs: TestAcs,
    private readonly masker: RunMasker,
  ) {}

  async startOutbound(
    input: z.output<typeof StartRunSchema>,
    by: Principal,
  ): Promise<RunDetailDto> {
    const flow = await this.flows.find(input.flowId);
    if (!flow) throw invalid('flowId', `flow ${input.flowId} does not exist`);
    if (flow.archivedAt) throw new ProblemException(409, 'conflict', `“${flow.name}” is archived`);
    const n = input.version ?? flow.versions[0]?.version;
    if (n === undefined) {
      throw new ProblemException(409, 'conflict', `“${flow.name}” has no published version yet`);
    }
    const version = await this.flows.findVersion(input.flowId, n);
    if (!version) throw invalid('version', `“${flow.name}” has no version ${n}`);
    const document = version.document as unknown as FlowDocument;
    const compiled = compileFlow(document);
    if (compiled.trigger?.desc.trigger !== 'outbound') {
      throw new ProblemException(
        422,
        'not-outbound',
        `Version ${n} of “${flow.name}” does not start with an outbound-call trigger`,
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

  async list(query: z.output<typeof RunListQuerySchema>, me?: Principal): Promise<Page<RunDto>> {
    const after = query.cursor ? decodeCursor(query.cursor, CursorSchema) : undefined;
    const rows = await this.runs.list(
      {
        ...(me && scopedToOwnRuns(me) ? { startedBy: me.actor } : {}),
        ...(query.test !== 'all' ? { test: query.test === 'true' } : {}),
        ...(query.flowId ? { flowId: query.flowId } : {}),
        ...(query.version !== undefined ? { version: query.version } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.from ? { from: new Date(query.from) } : {}),
        ...(query.to ? { to: new Date(query.to) } : {}),
        ...(query.number ? { number: query.number } : {}),
        ...(query.endReason ? { endReason: query.endReason } : {}),
        ...(query.nodeId ? { nodeId: query.nodeId } : {}),
      },
      query.limit,
      after ? { startedAt: new Date(after[0]), id: after[1] } : undefined,
    );
    return toPage(rows, query.limit, (r) => [r.startedAt.toISOString(), r.id], toRunDto);
  }

  async get(id: string, me?: Principal): Promise<RunDetailDto> {
    const run = await this.runs.find(id);
    if (!run || !canSee(run, me)) throw notFound(`Run ${id}`);
    const rows = await this.runs.steps(run);
    const state = run.state as {
      vars?: Record<string, string>;
      awaiting?: { nodeId: string; operationContext: string };
      call?: { serverCallId?: string };
    };
    const mask = await this.masker.forVersion(run.flowVersionId);
    let vars: Record<string, string> = {};
    const steps = rows.map((s) => {
      const row = s as unknown as StepRow;
      if (row.vars) vars = row.vars;
      return mask.step(toStepDto(row, vars));
    });
    return {
      ...toRunDto(run),
      variables: mask.variables(state.vars ?? {}),
      awaiting: state.awaiting
        ? {
            nodeId: state.awaiting.nodeId,
            operationContext: state.awaiting.operationContext,
            deadline: iso(run.deadline),
          }
        : null,
      steps,
      testCall: run.test ? await this.testCall(run, state.call?.serverCallId, steps) : null,
    };
  }

  /**
   * A test run's call: kept with the run once it ended and the emulator let the call go,
   * else read live from the test-call emulator (null if it does not know the call).
   */
  private async testCall(
    run: RunListRow & { testCall: unknown },
    serverCallId: string | undefined,
    steps: RunStepDto[],
  ): Promise<TestCallDto | null> {
    let view = run.testCall as TestCallView | null;
    if (!view) {
      view = await this.testAcs
        .describe(
          { ...(serverCallId ? { serverCallId } : {}), callConnectionId: run.callConnectionId },
          run.direction === 'outbound' ? run.toAddress : run.fromAddress,
        )
        .catch(() => null);
      if (view && run.status === 'ended' && view.state === 'disconnected') {
        await this.runs.saveTestCall(run.id, view as unknown as Prisma.InputJsonValue);
      }
    }
    if (!view) return null;
    const nodes = nodesByContext(steps);
    return {
      serverCallId: view.serverCallId,
      state: view.state,
      participants: view.participants,
      heard: view.heard.map(({ operationContext, ...h }) => {
        const nodeId = operationContext ? nodes.get(operationContext) : undefined;
        return nodeId ? { ...h, nodeId } : h;
      }),
      timeline: view.timeline,
    };
  }

  /** The flow document a run walked (its version's, or its draft snapshot's). */
  async document(id: string, me?: Principal): Promise<unknown> {
    const run = await this.runs.find(id);
    if (!run || !canSee(run, me)) throw notFound(`Run ${id}`);
    const doc = await this.flows.documentOf(run.flowVersionId);
    if (!doc) throw notFound(`The document of run ${id}`);
    return doc;
  }

  /** Hangs up (if the run holds a call) and ends the run with reason `cancelled`. */
  async cancel(id: string, by: Principal): Promise<RunDetailDto> {
    const run = await this.runs.find(id);
    if (!run || !canSee(run, by)) throw notFound(`Run ${id}`);
    if (run.status === 'running') {
      await this.runtime.engineEvent(id, { id: `cancel:${id}`, type: 'Cancel' });
      this.runtime.callLogger(id).info({ by: by.actor }, 'run cancelled');
    }
    return this.get(id);
  }

  /** Throws 404 unless the run exists and `me` may see it. */
  async visible(id: string, me: Principal): Promise<void> {
    const run = await this.runs.find(id);
    if (!run || !canSee(run, me)) throw notFound(`Run ${id}`);
  }
}

const invalid = (path: string, message: string) =>
  new ProblemException(422, 'invalid-reference', `${path}: ${message}`, {
    errors: [{ path, message }],
  });
