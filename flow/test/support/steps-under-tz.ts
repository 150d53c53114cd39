/**
 * Child process of templates.spec.ts: reads cases (flow, trigger, now) as JSON on stdin, starts
 * each run and prints the results as JSON. Run under different TZ settings, the output must be
 * byte-identical.
 */
import { start, type FlowDocument, type RunTrigger } from '../../src/index.js';

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  const cases = JSON.parse(input) as { flow: FlowDocument; trigger: RunTrigger; now: number }[];
  const out = cases.map((c) => {
    const r = start(c.flow, c.trigger, c.now);
    return { state: r.state, actions: r.actions, trace: r.trace };
  });
  process.stdout.write(JSON.stringify(out));
});
