/**
 * The engine under test, alone in its own process (plain `node`, from dist/, so a `--cpu-prof`
 * profile shows only the engine). The benchmark driver sends { env, flow, runs } over IPC; this
 * starts the engine, publishes the flow, starts `runs` runs (their answerCall goes to the fake
 * ACS) and answers { url, runs: [{ runId, operationContext }] }; on 'prune' it runs a retention
 * round and answers 'pruned' with its report; on 'stop' it closes and exits.
 * With { env, flows: [{ flow, runs, entryPoint? }] } it publishes each (binding `entryPoint`, a
 * phone number, to it) and answers { url, runs: [all], runsByFlow: [[…], …] }. { type: 'rss' }
 * is answered with { type: 'rss', rssMb, heapMb } after a garbage collection when exposed.
 */
const { loadConfig } = await import('../dist/src/config/config.js');
const { startEngine } = await import('../dist/src/app.js');
const { RuntimeService } = await import('../dist/src/runtime/runtime.service.js');
const { FlowsService } = await import('../dist/src/flows/flows.service.js');
const { PrismaService } = await import('../dist/src/database/prisma.service.js');
const { RetentionService } = await import('../dist/src/retention/retention.service.js');
const { EntryPointsService } = await import('../dist/src/entry-points/entry-points.service.js');

process.on('message', (msg) => {
  if (msg.type === 'start') void start(msg);
  if (msg.type === 'stop') void stop();
  if (msg.type === 'profile') void profile(msg);
  if (msg.type === 'prune') void prune(msg);
  if (msg.type === 'rss') {
    globalThis.gc?.();
    const m = process.memoryUsage();
    process.send({ type: 'rss', rssMb: m.rss / 2 ** 20, heapMb: m.heapUsed / 2 ** 20 });
  }
});

/** One retention round in this engine, as its own loop would run it (retention.bench.ts). */
async function prune({ now }) {
  try {
    const report = await engine.app.get(RetentionService).prune(now);
    process.send({ type: 'pruned', report });
  } catch (e) {
    process.send({ type: 'error', message: e instanceof Error ? e.stack : String(e) });
  }
}

/** CPU profile of the measured phases only (not start-up or the other targets' phases). */
let session;
async function profile({ action, file }) {
  if (action === 'start') {
    const { Session } = await import('node:inspector/promises');
    session ??= new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  } else {
    const { profile: p } = await session.post('Profiler.stop');
    session.disconnect();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, JSON.stringify(p));
  }
  process.send({ type: 'profiled', action });
}

let engine;
async function start({ env, flow, runs, flows }) {
  try {
    engine = await startEngine(loadConfig(env));
    const admin = { kind: 'user', id: 'bench', name: 'bench', role: 'admin', actor: 'bench' };
    const service = engine.app.get(FlowsService);
    const runtime = engine.app.get(RuntimeService);
    const runsByFlow = [];
    for (const f of flows ?? [{ flow, runs }]) {
      const imported = await service.import(f.flow, admin);
      await service.publish(imported.flow.id, { comment: '' }, admin);
      const version = await engine.app
        .get(PrismaService)
        .flowVersion.findFirstOrThrow({ where: { flowId: imported.flow.id } });
      if (f.entryPoint)
        await engine.app
          .get(EntryPointsService)
          .bind(f.entryPoint, { flowId: imported.flow.id }, admin);
      const started = [];
      for (let i = 0; i < (f.runs ?? 0); i++) {
        const runId = crypto.randomUUID();
        const { state } = await runtime.startRun({
          flowId: imported.flow.id,
          flowVersionId: version.id,
          version: 1,
          document: f.flow,
          trigger: {
            kind: 'incomingCall',
            runId,
            from: '+15551234567',
            to: '+18005550100',
            incomingCallContext: 'ctx',
          },
          startedBy: 'bench',
          receivedAt: Date.now(),
        });
        started.push({ runId, operationContext: state.awaiting.operationContext });
      }
      runsByFlow.push(started);
    }
    // Every answerCall sent and its result (the call connection id) applied.
    await runtime.drain();
    process.send({ type: 'ready', url: engine.url, runs: runsByFlow.flat(), runsByFlow });
  } catch (e) {
    process.send({ type: 'error', message: e instanceof Error ? e.stack : String(e) });
  }
}

async function stop() {
  await engine?.close();
  // Leaving through process.exit still writes the --cpu-prof profile.
  process.exit(0);
}
