import {
  compileFlow,
  DEFAULT_SCENARIO_CLOCK,
  eventsFor,
  inputsWorthTrying,
  scenarioTrigger,
  simulate,
  type FlowDocument,
  type Recording,
} from '../src/index.js';

/** mulberry32: a small seeded generator, so a benchmark's calls are the same every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` calls of a flow as an engine would have recorded them: random starts over a week,
 * and at each prompt a random input among those worth trying (mostly the first: a key, an
 * answer), through the pure interpreter.
 */
export function recordedCalls(doc: FlowDocument, count: number, seed: number): Recording[] {
  const flow = compileFlow(doc);
  const random = seeded(seed);
  const week = 7 * 24 * 3_600_000;
  const out: Recording[] = [];
  for (let i = 0; i < count; i++) {
    const runId = `bench-${seed}-${i}`;
    const at = Date.parse(DEFAULT_SCENARIO_CLOCK) + Math.floor(random() * week);
    const trigger = scenarioTrigger(flow, {}, runId);
    const sim = simulate(flow, {
      trigger,
      at,
      maxPrompts: 25,
      answer: (p) => {
        const options = inputsWorthTrying(flow, p);
        const pick = random() < 0.6 ? 0 : Math.floor(random() * options.length);
        const input = options[pick];
        const r = eventsFor(p.action, input);
        if (!r.ok) return undefined;
        const when = p.at + 1000 + Math.floor(random() * 8000);
        return { events: r.events.map((event) => ({ event, at: when })) };
      },
    });
    out.push({
      runId,
      trigger,
      startedAt: at,
      steps: sim.events,
      trace: sim.trace,
      ...(sim.end ? { end: sim.end } : {}),
    });
  }
  return out;
}
