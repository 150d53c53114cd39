/**
 * One phase of `npm run bench` in a process of its own: `phase.ts <name> <result.json>` runs it
 * and writes { figures, details } (or { error }) to the file. Progress goes to stderr.
 */
import { writeFile } from 'node:fs/promises';
import { PHASES } from './phases.js';

const [name, out] = process.argv.slice(2);
const phase = PHASES.find((p) => p.name === name);
if (!phase || !out) {
  console.error(`usage: phase.ts <${PHASES.map((p) => p.name).join('|')}> <result.json>`);
  process.exit(2);
}
try {
  const result = await phase.run({ quick: process.env.BENCH_QUICK === '1', env: process.env });
  await writeFile(out, JSON.stringify(result));
  process.exit(0);
} catch (e) {
  console.error(e);
  await writeFile(
    out,
    JSON.stringify({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
  process.exit(1);
}
