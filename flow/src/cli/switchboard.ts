import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { failedCount, report, testFile, writeJunit } from './test-command.js';

const USAGE = `Usage: switchboard test <flow.json>... [--junit <file>]

Runs the scenarios each flow document carries as simulated calls, in process (no engine,
no database, no network), and prints a line per scenario.

  --junit <file>   also write the results as JUnit XML, for CI systems
  --help           this text

Exit code: 0 when every scenario passes, 1 when one fails (or a file is not a flow), 2 for
a wrong command line.`;

class UsageError extends Error {}

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === 'help' || command === '-h') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'test') throw new UsageError(`unknown command “${command}”`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { junit: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (parsed.positionals.length === 0) throw new UsageError('name at least one flow file');
  // npx runs a workspace bin from the workspace folder: paths are the caller's.
  const base = process.env.INIT_CWD ?? process.cwd();
  const started = performance.now();
  const files = parsed.positionals.map((f) => ({ ...testFile(resolve(base, f)), file: f }));
  const ms = performance.now() - started;
  for (const line of report(files, ms)) console.log(line);
  if (parsed.values.junit) writeJunit(resolve(base, parsed.values.junit), files, ms);
  return failedCount(files) > 0 ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  console.error(`switchboard: ${e.message}\n\n${USAGE}`);
  process.exitCode = 2;
}
