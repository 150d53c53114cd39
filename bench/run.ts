/**
 * `npm run bench`: every phase of phases.ts, each in its own process (bounded in time), then one
 * markdown table on stdout and bench/results/<UTC timestamp>.json. Progress goes to stderr.
 *
 *   npm run bench                        (every phase; see bench/README.md for times)
 *   BENCH_QUICK=1 npm run bench          (a smoke run: smaller counts, fewer rounds)
 *   BENCH_PHASES=callbacks,ivr npm run bench
 *
 * Everything it starts listens on 127.0.0.1 only. See bench/README.md for each figure.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PHASES } from './phases.js';
import { buildResults, type PhaseRecord, renderTable, resultFileName } from './report.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const only = (process.env.BENCH_PHASES ?? '').split(',').filter(Boolean);
const unknown = only.filter((n) => !PHASES.some((p) => p.name === n));
if (unknown.length > 0) {
  console.error(
    `BENCH_PHASES: no phase ${unknown.join(', ')} (phases: ${PHASES.map((p) => p.name).join(', ')})`,
  );
  process.exit(2);
}
const phases = PHASES.filter((p) => only.length === 0 || only.includes(p.name));
const log = (line: string) => process.stderr.write(`${line}\n`);

function runPhase(name: string, out: string, timeoutS: number): Promise<number | string> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(here, 'phase.ts'), name, out], {
      // A phase's own output is progress: to stderr, like ours (stdout is the table).
      stdio: ['ignore', 2, 2],
      env: process.env,
      detached: true,
    });
    const timer = setTimeout(() => {
      log(`  ${name}: over ${timeoutS} s, stopped`);
      // The phase's own process group: its engine, handlers and Postgres with it.
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        proc.kill('SIGKILL');
      }
    }, timeoutS * 1000);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      // Whatever the phase left running (a child it could not stop) goes with its group.
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        /* none left */
      }
      resolve(code ?? `signal ${signal}`);
    });
  });
}

const commit = (() => {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: here }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: here }).toString().trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
})();

const at = new Date();
const tmp = await mkdtemp(join(tmpdir(), 'switchboard-bench-run-'));
const records: Record<string, PhaseRecord> = {};
let failed = 0;
const started = Date.now();
log(
  `switchboard bench${quick ? ' (BENCH_QUICK=1)' : ''}: ${phases.map((p) => p.name).join(', ')} — commit ${commit}`,
);
for (const [i, phase] of phases.entries()) {
  log(`\n[${i + 1}/${phases.length}] ${phase.title}`);
  const out = join(tmp, `${phase.name}.json`);
  const t0 = Date.now();
  const code = await runPhase(
    phase.name,
    out,
    quick ? phase.timeoutSeconds.quick : phase.timeoutSeconds.full,
  );
  const seconds = (Date.now() - t0) / 1000;
  let parsed: { figures?: Record<string, number>; details?: unknown; error?: string } = {};
  try {
    parsed = JSON.parse(await readFile(out, 'utf8')) as typeof parsed;
  } catch {
    parsed = { error: `no result (exit ${code})` };
  }
  if (code !== 0 || parsed.error) failed++;
  records[phase.name] = {
    seconds,
    figures: parsed.figures ?? {},
    ...(parsed.details !== undefined ? { details: parsed.details } : {}),
    ...(code !== 0 || parsed.error ? { error: parsed.error ?? `exit ${code}` } : {}),
  };
  log(
    `  ${phase.name}: ${seconds.toFixed(0)} s${records[phase.name]!.error ? ` — FAILED: ${records[phase.name]!.error!.split('\n')[0]}` : ''}`,
  );
}
await rm(tmp, { recursive: true, force: true });

const results = buildResults({
  at,
  commit,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  },
  quick,
  settings: Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_')) as [string, string][],
  ),
  phases: records,
});
const figures = Object.fromEntries(
  Object.entries(results).filter(([, v]) => typeof v === 'number'),
) as Record<string, number>;
const table = renderTable(figures, quick);
const dir = join(here, 'results');
await mkdir(dir, { recursive: true });
const file = join(dir, resultFileName(at));
await writeFile(
  file,
  `${JSON.stringify({ ...results, seconds: (Date.now() - started) / 1000 }, null, 2)}\n`,
);
console.log(
  `\nSwitchboard benchmark, ${at.toISOString()}${quick ? ' (quick run: BENCH_QUICK=1)' : ''}, commit ${commit.slice(0, 12)}, ${cpus().length} CPUs, node ${process.version}, ${((Date.now() - started) / 60000).toFixed(1)} min\n`,
);
console.log(table);
console.log(`\nResults: ${file}`);
if (failed > 0) {
  console.log(
    `${failed} phase(s) failed: ${Object.entries(records)
      .filter(([, r]) => r.error)
      .map(([n]) => n)
      .join(', ')}`,
  );
  process.exitCode = 1;
}
