import type { FlowDocument } from '../document.js';
import { toCompiledFlow, type CompiledFlow } from '../interpreter/compile.js';
import { sensitiveParts } from '../sensitive.js';
import { recordedInputs, type Recording } from './replay.js';
import type { Scenario, ScenarioInput } from './scenario.js';
import { withoutPlainCompletions } from './coverage.js';
import { pathOf } from './simulate.js';
import { describeRecorded } from './world.js';

export interface FromRecording {
  scenario: Scenario;
  /** Things people should know about the scenario written, e.g. keys that were not copied. */
  notes: string[];
}

/**
 * "Save as test": a scenario that makes the recorded call again — its caller, clock, variables
 * and what was done at each prompt, in the plainest words that give the same callbacks — and
 * expects its path and end. Keys typed at a sensitive node are not copied (zeros instead).
 */
export function scenarioFromRecording(
  recorded: FlowDocument | CompiledFlow,
  rec: Recording,
  name: string,
): FromRecording {
  const flow = toCompiledFlow(recorded);
  const inputs = recordedInputs(flow, rec);
  const notes: string[] = [];
  if (inputs.notReproduced)
    notes.push(`The run cannot be replayed exactly: ${inputs.notReproduced}`);
  const sensitive = sensitiveParts(flow.doc).nodeIds;
  const described = inputs.prompts.map((p) => {
    let input = describeRecorded(
      p.action,
      p.answer.events.map((e) => e.event),
    );
    if (input.digits !== undefined && sensitive.has(p.nodeId)) {
      input = { ...input, digits: '0'.repeat(input.digits.length) };
      notes.push(`The keys typed at “${p.nodeId}” are sensitive: the scenario types zeros instead`);
    } else if (input.events && sensitive.has(p.nodeId)) {
      input = {
        ...input,
        events: input.events.map((e) => (e.tones ? { ...e, tones: e.tones.map(() => '0') } : e)),
      };
    }
    const first = p.answer.events[0]?.at ?? p.at;
    const after = Math.round((first - p.at) / 1000);
    return after === 2 ? input : { ...input, after };
  });
  const list: ScenarioInput[] = withoutPlainCompletions(described);
  const t = rec.trigger;
  const call: NonNullable<Scenario['call']> =
    t.kind === 'incomingCall'
      ? {
          from: t.from,
          to: t.to,
          ...(t.callerDisplayName ? { callerDisplayName: t.callerDisplayName } : {}),
        }
      : { targets: [...t.targets], ...(t.callerId ? { from: t.callerId } : {}) };
  const path = pathOf(rec.trace).map((p) => p.nodeId);
  const scenario: Scenario = {
    name,
    description: `Saved from call ${rec.runId}`,
    call,
    at: new Date(rec.startedAt).toISOString(),
    ...(t.variables && Object.keys(t.variables).length > 0
      ? { variables: { ...t.variables } }
      : {}),
    inputs: list,
    expect: {
      ...(rec.end ? { endNode: rec.end.nodeId, endReason: rec.end.reason } : {}),
      path,
    },
  };
  return { scenario, notes: [...new Set(notes)] };
}
