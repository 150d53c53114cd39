/**
 * Realistic recorded calls for the replay benchmark: the example IVR (or any incoming flow) driven
 * by `simulate` with seeded random callers — keys at the menu (right, wrong, none), hang-ups,
 * callees that answer, decline, are busy or do not answer — at clocks spread over a week, and
 * each call re-driven step by step through the interpreter exactly as the runtime applies
 * callbacks (`start`, then `step` per event, each event carrying the operation context of the
 * request it answers), so that every step's event and trace are what the runtime stores.
 */
import {
  type AnswerEvent,
  type CallEvent,
  type CompiledFlow,
  eventsFor,
  type Prompt,
  type PromptAnswer,
  type RunTrigger,
  type ScenarioInput,
  simulate,
  start,
  step,
  type StepResult,
} from '@switchboard/flow';
import { seededRandom } from '@switchboard/emulator';

export interface GeneratedStep {
  /** The event as the interpreter saw it (id and operation context filled in). */
  event: CallEvent;
  /** The step's clock (ms epoch). */
  at: number;
  result: StepResult;
}

export interface GeneratedCall {
  runId: string;
  trigger: RunTrigger;
  /** The start's clock (ms epoch). */
  at: number;
  start: StepResult;
  steps: GeneratedStep[];
}

const DIGITS = ['1', '2', '0', '1', '2', '7'];

/** What a random caller (or callee, or the network) does at a prompt. */
function randomInput(prompt: Prompt, random: () => number): ScenarioInput | undefined {
  const node = prompt.nodeId;
  const r = random();
  if (r < 0.03) return { node, hangUp: true };
  switch (prompt.action.kind) {
    case 'recognizeDtmf':
      if (r < 0.18) return { node, noInput: true };
      return { node, digits: DIGITS[Math.floor(random() * DIGITS.length)]! };
    case 'transferCall':
    case 'addParticipant':
    case 'createCall': {
      const c = random();
      const callee = c < 0.75 ? 'answers' : c < 0.85 ? 'declines' : c < 0.93 ? 'busy' : 'noAnswer';
      return { node, callee };
    }
    default:
      return r < 0.04 ? { node, fails: true } : undefined;
  }
}

/**
 * `n` calls of `flow` with seeded random inputs, each starting at `clock(random)` (ms epoch);
 * each answer comes 0.5–8 s after its prompt (no input: the prompt's own timeout, about 6 s).
 */
export function generateCalls(
  flow: CompiledFlow,
  n: number,
  options: { seed: number; clock: (random: () => number) => number; runId: (i: number) => string },
): GeneratedCall[] {
  const random = seededRandom(options.seed);
  const calls: GeneratedCall[] = [];
  for (let i = 0; i < n; i++) {
    const runId = options.runId(i);
    const at = Math.floor(options.clock(random));
    const trigger: RunTrigger = {
      kind: 'incomingCall',
      runId,
      from: `+1555${String(Math.floor(random() * 10_000_000)).padStart(7, '0')}`,
      to: '+18005550100',
      callerDisplayName: '',
      correlationId: `corr-${runId}`,
      serverCallId: `server-${runId}`,
      incomingCallContext: `context-${runId}`,
    };
    // Every answer is given here (also a play's plain completion), so the events are known.
    const answers: { events: { event: AnswerEvent; at: number }[] }[] = [];
    simulate(flow, {
      trigger,
      at,
      answer: (prompt): PromptAnswer | { message: string } => {
        const input = randomInput(prompt, random);
        const r = eventsFor(prompt.action, input);
        if (!r.ok) return { message: r.message };
        const delay = input?.noInput ? 6000 : 500 + Math.floor(random() * 7500);
        const answer = {
          events: r.events.map((event, k) => ({ event, at: prompt.at + delay + k * 300 })),
        };
        answers.push(answer);
        return answer;
      },
    });
    calls.push(redrive(flow, runId, trigger, at, answers));
  }
  return calls;
}

/** The call again, one `step` per event, as the runtime applies them (and as simulate did). */
function redrive(
  flow: CompiledFlow,
  runId: string,
  trigger: RunTrigger,
  at: number,
  answers: { events: { event: AnswerEvent; at: number }[] }[],
): GeneratedCall {
  const first = start(flow, trigger, at);
  let state = first.state;
  let clock = at;
  let seq = 0;
  const steps: GeneratedStep[] = [];
  for (const answer of answers) {
    const waiting = state.status === 'running' ? state.awaiting : undefined;
    if (!waiting) break;
    for (const { event, at: when } of answer.events) {
      clock = Math.max(clock, when);
      seq += 1;
      const e = {
        ...event,
        id: `${runId}-event-${seq}`,
        operationContext: waiting.operationContext,
        callConnectionId: `connection-${runId}`,
        serverCallId: `server-${runId}`,
        correlationId: `corr-${runId}`,
      } as CallEvent;
      const result = step(flow, state, e, clock);
      steps.push({ event: e, at: clock, result });
      state = result.state;
      if (
        state.status !== 'running' ||
        state.awaiting?.operationContext !== waiting.operationContext
      ) {
        break;
      }
    }
  }
  return { runId, trigger, at, start: first, steps };
}
