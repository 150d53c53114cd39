/**
 * Preload (`node --import`) of a fault-injection test: the engine process exits with code 86
 * right after committing its Nth step that has actions, before sending them (FAULT_EXIT_AFTER_COMMIT
 * = N) — the worst moment for exactly-once delivery. It listens on the runtime's diagnostics
 * channel; the engine itself knows nothing of it.
 */
import diagnostics from 'node:diagnostics_channel';

const after = Number(process.env.FAULT_EXIT_AFTER_COMMIT);
if (!Number.isInteger(after) || after < 1) {
  throw new Error('exit-after-commit: set FAULT_EXIT_AFTER_COMMIT to a positive integer');
}
let commits = 0;
diagnostics.subscribe('switchboard:runtime:committed', (message) => {
  if (++commits < after) return;
  const { runId, seq } = message;
  // One JSON line like the engine's, so the test can read which step it was.
  process.stdout.write(
    `${JSON.stringify({ level: 40, runId, seq, msg: 'fault injection: exiting after commit, before send' })}\n`,
  );
  process.exit(86);
});
