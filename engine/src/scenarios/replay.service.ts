import { EnvironmentService } from '../environment/environment.service.js';
import { Injectable } from '@nestjs/common';
import {
  type CompiledFlow,
  type FlowDocument,
  type SubflowResolver,
  compileFlow,
  pathOf,
  replayRecording,
  type ReplayResult,
  summarizeReplays,
} from '@switchboard/flow';
import { type FieldError, notFound, ProblemException } from '../common/problem.js';
import { FlowsRepository } from '../flows/flows.repository.js';
import { FlowCache } from '../runtime/flow-cache.js';
import { FlowTargets } from '../flows/flow-targets.js';
import { PublishedSubflows } from '../flows/published-subflows.js';
import { recordingOf, type RecordedRunRow, type RecordedStepRow, stepsByRun } from './recording.js';
import { RecordingsRepository } from './recordings.repository.js';
import {
  MAX_REPLAY_STEPS,
  type ReplayRequest,
  type ReplayResponse,
  type ReplayResultDto,
} from './scenarios.schemas.js';

const DAY_MS = 24 * 3600_000;
/** Replays between two yields to the event loop: live calls' callbacks are not held up long. */
const SLICE_MS = 20;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Where the time of a replay went, for the Server-Timing header. */
export interface ReplayTiming {
  /** Reading the runs, their steps and their documents. */
  loadMs: number;
  /** Replaying them and summing up. */
  replayMs: number;
}

const invalidRuns = (errors: FieldError[]) =>
  new ProblemException(
    400,
    'validation-error',
    `The request body is invalid: ${errors[0]!.path}: ${errors[0]!.message}` +
      (errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''),
    { errors },
  );

/**
 * "Which of these calls would now go somewhere else?": recorded runs of a flow fed through the
 * pure interpreter on the draft (or a version), inputs matched by node and prompt. All runs and
 * all their steps are read in two statements, each recorded document is compiled once, and the
 * replays run in this process, yielding to the event loop every few milliseconds.
 */
@Injectable()
export class ReplayService {
  constructor(
    private readonly flows: FlowsRepository,
    private readonly recordings: RecordingsRepository,
    private readonly compiled: FlowCache,
    private readonly targets: FlowTargets,
    private readonly published: PublishedSubflows,
    private readonly environment: EnvironmentService,
  ) {}

  async replay(
    flowId: string,
    body: ReplayRequest,
    now = Date.now(),
  ): Promise<{ response: ReplayResponse; timing: ReplayTiming }> {
    const t0 = performance.now();
    const target = await this.targets.resolve(flowId, body, 'replaying calls against it');
    const runs = body.runIds
      ? await this.namedRuns(flowId, body.runIds)
      : await this.matchingRuns(flowId, body.filter, now);
    assertStepBudget(runs, body.runIds ? 'runIds' : 'filter.limit');
    const steps = stepsByRun(await this.recordings.steps(runs));
    const recorded = await this.recordedFlows(runs);
    const subflows = await this.subflowsFor(flowId, target.document, steps);
    // Today's values of this environment: a call recorded before a value changed replays with
    // the new one (values are not part of the recording).
    const env = await this.environment.runtimeValues();
    const t1 = performance.now();

    const flow = compileFlow(target.document);
    const results: ReplayResultDto[] = [];
    let slice = performance.now();
    for (const run of runs) {
      results.push(
        replayOne(
          flow,
          recorded.get(run.flowVersionId),
          run,
          steps.get(run.id) ?? [],
          subflows,
          env,
        ),
      );
      if (performance.now() - slice > SLICE_MS) {
        await yieldToEventLoop();
        slice = performance.now();
      }
    }
    const summary = summarizeReplays(flow, results);
    const t2 = performance.now();
    return {
      response: { target: { draft: target.draft, version: target.version }, summary, results },
      timing: { loadMs: t1 - t0, replayMs: t2 - t1 },
    };
  }

  /** The named runs, newest first: each must be an ended run of this flow. */
  private async namedRuns(flowId: string, ids: string[]): Promise<RecordedRunRow[]> {
    const unique = [...new Set(ids)];
    const rows = await this.recordings.runsById(unique);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const errors: FieldError[] = [];
    ids.forEach((id, i) => {
      const run = byId.get(id);
      if (!run) errors.push({ path: `runIds[${i}]`, message: `no run has the id ${id}` });
      else if (run.flowId !== flowId) {
        errors.push({ path: `runIds[${i}]`, message: `run ${id} is a call of another flow` });
      }
    });
    if (errors.length > 0) throw invalidRuns(errors);
    const running = rows.filter((r) => r.status !== 'ended');
    if (running.length > 0) {
      throw new ProblemException(
        409,
        'run-not-ended',
        `${running.length === 1 ? 'Run' : 'Runs'} ${running.map((r) => r.id).join(', ')} ${running.length === 1 ? 'is' : 'are'} still running: only ended calls are replayed`,
        {
          errors: running.map((r) => ({
            path: `runIds[${ids.indexOf(r.id)}]`,
            message: `run ${r.id} is still running`,
          })),
        },
      );
    }
    return rows.sort(
      (a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : -1),
    );
  }

  private async matchingRuns(
    flowId: string,
    filter: ReplayRequest['filter'],
    now: number,
  ): Promise<RecordedRunRow[]> {
    const to = filter?.to ? Date.parse(filter.to) : now;
    const from = filter?.from ? Date.parse(filter.from) : to - DAY_MS;
    if (from >= to) {
      throw invalidRuns([
        { path: 'filter.from', message: 'must be earlier than to (default: now)' },
      ]);
    }
    const runs = await this.recordings.endedRuns({
      flowId,
      from: new Date(from),
      to: new Date(to),
      limit: filter?.limit ?? 500,
      ...(filter?.version !== undefined ? { version: filter.version } : {}),
      ...(filter?.test !== undefined ? { test: filter.test } : {}),
    });
    if (runs.length === 0 && !(await this.flows.find(flowId))) throw notFound(`Flow ${flowId}`);
    return runs;
  }

  /**
   * What the replays' subflow calls need: the target's calls resolve as a call would now
   * (latest published), and the recorded runs' frames re-run the versions they recorded (the
   * `subflow` of their resolve answers).
   */
  private async subflowsFor(
    flowId: string,
    target: FlowDocument,
    steps: Map<string, RecordedStepRow[]>,
  ): Promise<SubflowResolver> {
    const published = await this.published.load([target], flowId);
    const ids = new Set<string>();
    for (const list of steps.values()) {
      for (const s of list) {
        const id = (s.event as { subflow?: { versionId?: unknown } } | null)?.subflow?.versionId;
        if (typeof id === 'string') ids.add(id);
      }
    }
    const recorded = new Map<string, CompiledFlow>();
    for (const id of ids) {
      const f = await this.compiled.get(id).catch(() => undefined);
      if (f) recorded.set(id, f);
    }
    return {
      resolve: (id, version) => published.resolve(id, version),
      flow: (id) => recorded.get(id) ?? published.flow(id),
    };
  }

  /** Each document the runs walked, compiled once (null: it is gone). */
  private async recordedFlows(runs: RecordedRunRow[]): Promise<Map<string, CompiledFlow | null>> {
    const ids = [...new Set(runs.map((r) => r.flowVersionId))];
    const flows = await Promise.all(ids.map((id) => this.compiled.get(id).catch(() => null)));
    return new Map(ids.map((id, i) => [id, flows[i] ?? null]));
  }
}

/** Thousands of runs are read at once: refused (naming what to shrink) when they are too long. */
function assertStepBudget(runs: RecordedRunRow[], field: string): void {
  const steps = runs.reduce((n, r) => n + r.stepCount, 0);
  if (steps <= MAX_REPLAY_STEPS) return;
  const fmt = (n: number) => n.toLocaleString('en');
  throw invalidRuns([
    {
      path: field,
      message: `these ${fmt(runs.length)} runs have ${fmt(steps)} steps; at most ${fmt(MAX_REPLAY_STEPS)} are replayed at once: ask for fewer runs`,
    },
  ]);
}

function replayOne(
  target: CompiledFlow,
  recorded: CompiledFlow | null | undefined,
  run: RecordedRunRow,
  steps: Parameters<typeof recordingOf>[1],
  subflows: SubflowResolver,
  env: Readonly<Record<string, string>>,
): ReplayResultDto {
  const about = {
    startedAt: run.startedAt.toISOString(),
    version: run.version,
    test: run.test,
    from: run.fromAddress,
  };
  let result: ReplayResult;
  try {
    const recording = recordingOf(run, steps);
    result = recorded
      ? replayRecording(target, recorded, recording, { subflows, env })
      : notReplayable(run, 'the flow document it ran is no longer stored', pathOf(recording.trace));
  } catch (e) {
    result = notReplayable(run, `its record cannot be read (${(e as Error).message})`, []);
  }
  return { ...result, ...about };
}

function notReplayable(
  run: RecordedRunRow,
  why: string,
  oldPath: ReplayResult['oldPath'],
): ReplayResult {
  return {
    runId: run.id,
    status: 'notReplayable',
    summary: `Cannot be replayed: ${why}`,
    oldPath,
    newPath: [],
    ...(run.endReason
      ? {
          oldEnd: {
            nodeId: run.currentNodeId ?? '',
            reason: run.endReason as NonNullable<ReplayResult['oldEnd']>['reason'],
          },
        }
      : {}),
  };
}
