import { EnvironmentService } from '../environment/environment.service.js';
import { Injectable } from '@nestjs/common';
import {
  type FlowDocument,
  FlowDocumentSchema,
  isTimeZone,
  type Recording,
  runScenarios,
  scenarioFromRecording,
  wallClock,
} from '@switchboard/flow';
import type { Principal } from '../auth/principal.js';
import { ProblemException, zodFieldErrors } from '../common/problem.js';
import { FlowsService } from '../flows/flows.service.js';
import { FlowCache } from '../runtime/flow-cache.js';
import { FlowTargets } from '../flows/flow-targets.js';
import { PublishedSubflows } from '../flows/published-subflows.js';
import { recordingOf } from './recording.js';
import { RecordingsRepository } from './recordings.repository.js';
import type {
  SaveScenarioRequest,
  SavedScenario,
  ScenarioRunResponse,
  TargetRequest,
} from './scenarios.schemas.js';

const NAME_MAX = 120;

const invalidRunId = (message: string) =>
  new ProblemException(400, 'validation-error', `runId: ${message}`, {
    errors: [{ path: 'runId', message }],
  });

/** The zone a call's time is told in: the flow's, else its first business hours', else UTC. */
function timeZoneOf(doc: FlowDocument): string {
  if (doc.timeZone && isTimeZone(doc.timeZone)) return doc.timeZone;
  for (const n of doc.nodes) {
    const tz = (n.config as { timezone?: unknown }).timezone;
    if (typeof tz === 'string' && isTimeZone(tz)) return tz;
  }
  return 'UTC';
}

/** "Call from +15551230001 at 10:02" (the call's own clock, in the flow's time zone). */
export function defaultScenarioName(doc: FlowDocument, rec: Recording): string {
  const zone = timeZoneOf(doc);
  const w = wallClock(rec.startedAt, zone);
  const time = `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}${zone === 'UTC' ? ' UTC' : ''}`;
  const t = rec.trigger;
  const who = t.kind === 'incomingCall' ? `from ${t.from}` : `to ${t.targets.join(', ')}`;
  return `Call ${who} at ${time}`;
}

/** `name`, or `name (2)`, `name (3)`… — the first the draft does not have yet. */
export function freeName(name: string, taken: ReadonlySet<string>): string {
  const base = name.slice(0, NAME_MAX);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    const candidate = `${base.slice(0, NAME_MAX - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Scenario tests: run the ones a document carries, and "Save as test" from a recorded run. */
@Injectable()
export class ScenariosService {
  constructor(
    private readonly recordings: RecordingsRepository,
    private readonly compiled: FlowCache,
    private readonly targets: FlowTargets,
    private readonly flows: FlowsService,
    private readonly subflows: PublishedSubflows,
    private readonly environment: EnvironmentService,
  ) {}

  async run(flowId: string, body: TargetRequest): Promise<ScenarioRunResponse> {
    const target = await this.targets.resolve(flowId, body, 'running its scenarios');
    const results = runScenarios(target.document, {
      subflows: await this.subflows.load([target.document], flowId),
      env: await this.environment.runtimeValues(),
    });
    const passed = results.filter((r) => r.passed).length;
    return { results, passed, failed: results.length - passed };
  }

  /**
   * A scenario made of a run's recorded inputs and path (on the document the run walked),
   * appended to the flow's draft as saving a draft does (one more revision).
   */
  async saveFromRun(
    flowId: string,
    body: SaveScenarioRequest,
    by: Principal,
  ): Promise<SavedScenario> {
    const [run] = await this.recordings.runsById([body.runId]);
    if (!run) throw invalidRunId(`no run has the id ${body.runId}`);
    if (run.flowId !== flowId) throw invalidRunId(`run ${body.runId} is a call of another flow`);
    if (run.status !== 'ended') {
      throw new ProblemException(
        409,
        'run-not-ended',
        `Run ${body.runId} is still running: save it as a test once the call has ended`,
        { errors: [{ path: 'runId', message: 'the run is still running' }] },
      );
    }
    const recording = recordingOf(run, await this.recordings.steps([run]));
    const recorded = await this.compiled.get(run.flowVersionId);
    const built = scenarioFromRecording(
      recorded,
      recording,
      body.name ?? defaultScenarioName(recorded.doc, recording),
    );
    let scenario = built.scenario;
    const saved = await this.flows.changeDraft(flowId, by, (draft) => {
      const scenarios = draft.scenarios ?? [];
      scenario = {
        ...scenario,
        name: freeName(scenario.name, new Set(scenarios.map((s) => s.name))),
      };
      const next: FlowDocument = { ...draft, scenarios: [...scenarios, scenario] };
      const parsed = FlowDocumentSchema.safeParse(next);
      if (!parsed.success) {
        const errors = zodFieldErrors(parsed.error);
        throw new ProblemException(
          422,
          'invalid-flow',
          `The scenario cannot be added to the draft: ${errors[0]?.path}: ${errors[0]?.message}`,
          { errors },
        );
      }
      return next;
    });
    return { scenario, notes: built.notes, revision: saved.revision };
  }
}
