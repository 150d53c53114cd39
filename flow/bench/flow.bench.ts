/**
 * Prints the flow package's figures: validation time for a 2,000-node flow, interpreter
 * steps per second on one core, and per-step time at 20 vs 2,000 nodes. Reported, never
 * asserted: timings depend on the machine.
 */
import { availableParallelism, loadavg } from 'node:os';
import {
  compileFlow,
  start,
  step,
  validateFlow,
  type CompiledFlow,
  type RunState,
} from '../src/index.js';
import { readFileSync } from 'node:fs';
import { replayRecording, summarizeReplays, type FlowDocument } from '../src/index.js';
import { generateFlow, ringFlow } from './generate-flow.js';
import { recordedCalls } from './recorded-calls.js';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function benchValidation(): number {
  const doc = generateFlow(2000);
  const errors = validateFlow(doc).filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new Error(`generated flow has errors: ${errors[0]?.message}`);
  for (let i = 0; i < 3; i++) validateFlow(doc); // warm up
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 15; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    validateFlow(doc);
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  console.log(
    `validation, ${doc.nodes.length} nodes / ${doc.edges.length} edges: median ${median(times).toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms CPU (goal < 50 ms)`,
  );
  return median(times);
}

const NOW = Date.parse('2026-03-03T18:00:00Z');

/** Runs `steps` PlayCompleted events through a ring flow; returns µs per step. */
function stepsOn(flow: CompiledFlow, steps: number): number {
  let { state } = start(
    flow,
    {
      kind: 'incomingCall',
      runId: 'bench',
      from: '+15551234567',
      to: '+18005550100',
      incomingCallContext: 'ctx',
    },
    NOW,
    { stepLimit: Number.MAX_SAFE_INTEGER },
  );
  const opts = { stepLimit: Number.MAX_SAFE_INTEGER };
  const connected = step(
    flow,
    state,
    {
      id: 'c',
      type: 'CallConnected',
      operationContext: state.awaiting?.operationContext ?? '',
      callConnectionId: 'cc',
    },
    NOW,
    opts,
  );
  state = connected.state;
  const c = process.cpuUsage();
  for (let i = 0; i < steps; i++) {
    const r = step(
      flow,
      state,
      {
        id: `e${i}`,
        type: 'PlayCompleted',
        operationContext: (state.awaiting as NonNullable<RunState['awaiting']>).operationContext,
      },
      NOW + i,
      opts,
    );
    state = r.state;
  }
  // CPU time of this process: other processes on the machine do not inflate it.
  const used = process.cpuUsage(c);
  const us = (used.user + used.system) / steps;
  if (state.status !== 'running') throw new Error('benchmark run ended early');
  return us;
}

function benchSteps(): void {
  const small = compileFlow(ringFlow(20));
  const large = compileFlow(ringFlow(2000));
  // Warm up both so the JIT has seen each before measuring.
  stepsOn(small, 20_000);
  stepsOn(large, 20_000);
  const smallRuns: number[] = [];
  const largeRuns: number[] = [];
  // Interleaved, so that load on the machine hits both sizes alike.
  for (let i = 0; i < 9; i++) {
    smallRuns.push(stepsOn(small, 50_000));
    largeRuns.push(stepsOn(large, 50_000));
  }
  const s = median(smallRuns);
  const l = median(largeRuns);
  console.log(
    `interpreter: ${Math.round(1e6 / s).toLocaleString('en-US')} steps/s on one core, CPU time (goal ≥ 100,000)`,
  );
  console.log(
    `per step: ${s.toFixed(2)} µs at 20 nodes, ${l.toFixed(2)} µs at 2,000 nodes, ratio ${(l / s).toFixed(2)}× (goal ≤ 1.5×)`,
  );
}

/** Replays 5,000 recorded calls of the example IVR against a draft that sends key 2 to sales. */
function benchReplay(): void {
  const doc = JSON.parse(
    readFileSync(new URL('../examples/main-ivr.json', import.meta.url), 'utf8'),
  ) as FlowDocument;
  const seed = Number(process.env.BENCH_SEED ?? 15);
  const calls = recordedCalls(doc, 5000, seed);
  const draft = structuredClone(doc);
  const edge = draft.edges.find((e) => e.source === 'menu' && e.sourceOutcome === 'choice:2');
  if (edge) edge.target = 'sales';
  const recorded = compileFlow(doc);
  const target = compileFlow(draft);
  const times: number[] = [];
  let text = '';
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    const results = calls.map((c) => replayRecording(target, recorded, c));
    text = summarizeReplays(target, results).text;
    times.push(performance.now() - t);
  }
  console.log(
    `replay, 5,000 recorded calls (seed ${seed}) against a changed draft: median ${median(times).toFixed(0)} ms in process (the API's whole budget is 5,000 ms) — ${text}`,
  );
}

// Wall-clock figures grow when other processes share the cores; CPU time shows the work done.
console.log(`(load average ${loadavg()[0]?.toFixed(2)} on ${availableParallelism()} cores)`);
benchValidation();
benchSteps();
benchReplay();
