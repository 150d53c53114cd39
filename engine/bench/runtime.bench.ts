/**
 * Callback throughput and callback→action latency of the engine's hot path, side by side with
 * (a) the machine's commit ceiling (single-row INSERT + COMMIT in a tight loop, same Postgres,
 * same concurrency) and (b) a hand-written in-memory handler doing the same verify/parse/step/send
 * without a database. Loopback only, bounded in count and time.
 *
 *   npm run bench -w engine            (BENCH_EVENTS=4000 BENCH_CONCURRENCY=32 to change)
 *
 * The engine runs in this process from dist/ (Nest needs decorator metadata; `npm run bench`
 * builds first). A fake ACS (plain HTTP server) answers every request 202 and timestamps
 * it; the driver posts signed PlayCompleted CloudEvents to /api/acs/callbacks for runs waiting on
 * a play node that loops on itself, so every event yields exactly one action.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, exportJWK, jwtVerify, SignJWT } from 'jose';
import pg from 'pg';
import {
  compileFlow,
  defaultConfig,
  type FlowDocument,
  type RunState,
  start,
  step,
} from '@switchboard/flow';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const RUNS = CONCURRENCY;
const MAX_SECONDS = 60;

const node = (id: string, type: string, config: Record<string, unknown> = {}) => ({
  id,
  type,
  position: { x: 0, y: 0 },
  config: { ...(defaultConfig(type) ?? {}), ...config },
});
const flow: FlowDocument = {
  schemaVersion: 1,
  name: 'Bench loop',
  nodes: [
    node('start', 'trigger.incomingCall'),
    node('answer', 'call.answer'),
    node('play', 'media.play', { text: 'Hi' }),
  ],
  edges: [
    { id: 'e1', source: 'start', sourceOutcome: 'next', target: 'answer' },
    { id: 'e2', source: 'answer', sourceOutcome: 'connected', target: 'play' },
    { id: 'e3', source: 'play', sourceOutcome: 'completed', target: 'play' },
  ],
};

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** Fake ACS: answers everything, resolves waiters by operationContext. */
async function fakeAcs() {
  const waiters = new Map<string, (at: number) => void>();
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      n++;
      let body: { operationContext?: string } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      } catch {
        /* empty */
      }
      const url = req.url ?? '';
      if (url.includes(':answer')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            callConnectionId: `cc-${randomUUID()}`,
            callConnectionState: 'connecting',
          }),
        );
      } else {
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{}');
      }
      const w = body.operationContext ? waiters.get(body.operationContext) : undefined;
      if (w) {
        waiters.delete(body.operationContext!);
        w(at);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    waiters,
    get count() {
      return n;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function main() {
  const deadline = Date.now() + MAX_SECONDS * 1000;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  const jwksServer = http.createServer((_q, s) => {
    s.writeHead(200, { 'content-type': 'application/json' });
    s.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/keys`;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
    .setIssuer('bench')
    .setAudience('bench')
    .setExpirationTime('10m')
    .sign(privateKey);
  const acs = await fakeAcs();

  const base = await mkdtemp(join(tmpdir(), 'switchboard-bench-'));
  const { startEmbeddedPostgres } = await import('../dist/src/database/embedded-postgres.js');
  const { createLogger } = await import('../dist/src/logging/logger.js');
  const pgServer = await startEmbeddedPostgres({
    dataDir: join(base, 'pg'),
    logger: createLogger('silent'),
  });
  const { loadConfig } = await import('../dist/src/config/config.js');
  const { startEngine } = await import('../dist/src/app.js');
  const { RuntimeService } = await import('../dist/src/runs/runtime.service.js');
  const { FlowsService } = await import('../dist/src/flows/flows.service.js');
  const config = loadConfig({
    DATABASE_URL: pgServer.url,
    PORT: '0',
    LOG_LEVEL: 'warn',
    SWITCHBOARD_ADMIN_PASSWORD: 'bench-password',
    ACS_CONNECTION_STRING: `endpoint=${acs.url}/;accesskey=${Buffer.from('bench-key').toString('base64')}`,
    ACS_JWKS_URL: jwksUrl,
    ACS_CALLBACK_ISSUER: 'bench',
    ACS_CALLBACK_AUDIENCE: 'bench',
    SWITCHBOARD_DB_POOL_SIZE: String(Math.min(CONCURRENCY, 20)),
  });
  const engine = await startEngine(config);
  const results: Record<string, { perSecond: number; p50: number; p99: number }> = {};
  try {
    // Runs waiting on the play node: start each, then deliver CallConnected.
    const flows = engine.app.get(FlowsService);
    const admin = {
      kind: 'user' as const,
      id: 'bench',
      name: 'bench',
      role: 'admin' as const,
      actor: 'bench',
    };
    const imported = await flows.import(flow, admin);
    await flows.publish(imported.flow.id, { comment: '' }, admin);
    const prisma = (await import('../dist/src/database/prisma.service.js')).PrismaService;
    const version = await engine.app
      .get(prisma)
      .flowVersion.findFirstOrThrow({ where: { flowId: imported.flow.id } });
    const runtime = engine.app.get(RuntimeService);
    const awaiting = new Map<string, string>();
    const post = async (body: unknown) => {
      const res = await fetch(`${engine.url}/api/acs/callbacks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      if (res.status !== 200)
        throw new Error(`callback answered ${res.status}: ${await res.text()}`);
    };
    const cloudEvent = (type: string, data: Record<string, unknown>) => [
      {
        id: randomUUID(),
        source: 'bench',
        type: `Microsoft.Communication.${type}`,
        data,
        time: new Date().toISOString(),
        specversion: '1.0',
        subject: 'bench',
      },
    ];
    for (let i = 0; i < RUNS; i++) {
      const runId = randomUUID();
      const { state } = await runtime.startRun({
        flowId: imported.flow.id,
        flowVersionId: version.id,
        version: 1,
        document: flow,
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
      const cc = `cc-${runId}`;
      const played = new Promise<number>((r) => acs.waiters.set(`${runId}:2`, r));
      await post(
        cloudEvent('CallConnected', {
          callConnectionId: cc,
          operationContext: state.awaiting!.operationContext,
          resultInformation: { code: 200 },
        }),
      );
      await played;
      awaiting.set(runId, `${runId}:2`);
    }

    // Engine: each worker owns one run and posts PlayCompleted for the play it waits on.
    const latencies: number[] = [];
    let sent = 0;
    const t0 = performance.now();
    await Promise.all(
      [...awaiting.keys()].map(async (runId) => {
        let context = awaiting.get(runId)!;
        let seq = Number(context.split(':')[1]);
        while (sent < EVENTS && Date.now() < deadline) {
          sent++;
          const next = `${runId}:${seq + 1}`;
          const acted = new Promise<number>((r) => acs.waiters.set(next, r));
          const at = performance.now();
          await post(
            cloudEvent('PlayCompleted', {
              callConnectionId: `cc-${runId}`,
              operationContext: context,
              resultInformation: { code: 200, subCode: 0 },
            }),
          );
          latencies.push((await acted) - at);
          context = next;
          seq++;
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    results['engine (HTTP + Postgres)'] = {
      perSecond: latencies.length / secs,
      p50: pct(latencies, 50),
      p99: pct(latencies, 99),
    };

    // (a) commit ceiling: single-row INSERT + COMMIT, same concurrency, same server.
    const pool = new pg.Pool({ connectionString: pgServer.url, max: Math.min(CONCURRENCY, 20) });
    await pool.query('CREATE TABLE IF NOT EXISTS bench_commit (id bigserial primary key, v text)');
    const commitLat: number[] = [];
    let commits = 0;
    const c0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        const client = await pool.connect();
        try {
          while (commits < EVENTS) {
            commits++;
            const a = performance.now();
            await client.query('BEGIN');
            await client.query('INSERT INTO bench_commit (v) VALUES ($1)', ['x']);
            await client.query('COMMIT');
            commitLat.push(performance.now() - a);
          }
        } finally {
          client.release();
        }
      }),
    );
    results['commit ceiling (INSERT+COMMIT)'] = {
      perSecond: commitLat.length / ((performance.now() - c0) / 1000),
      p50: pct(commitLat, 50),
      p99: pct(commitLat, 99),
    };
    await pool.end();

    // (b) in-memory handler: verify JWT, parse, step, send to the fake ACS; no database.
    const compiled = compileFlow(flow);
    const keys = createLocalJWKSet({ keys: [jwk] });
    const states = new Map<string, RunState>();
    const { AcsGateway } = await import('../dist/src/acs/acs.gateway.js');
    const gateway = new AcsGateway(config);
    const mem = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          await jwtVerify((req.headers.authorization ?? '').slice(7), keys, {
            issuer: 'bench',
            audience: 'bench',
          });
          const { event } = gateway.parseCallback(JSON.parse(Buffer.concat(chunks).toString()));
          const runId = event.operationContext!.split(':')[0]!;
          const r = step(compiled, states.get(runId)!, event, Date.now());
          states.set(runId, r.state);
          res.writeHead(200);
          res.end();
          for (const a of r.actions)
            if (a.kind !== 'end') await gateway.send(a, r.state.call.callConnectionId, Date.now());
        })().catch((e: unknown) => {
          res.writeHead(500);
          res.end(String(e));
        });
      });
    });
    await new Promise<void>((r) => mem.listen(0, '127.0.0.1', r));
    const memUrl = `http://127.0.0.1:${(mem.address() as AddressInfo).port}`;
    const memLat: number[] = [];
    let memSent = 0;
    const m0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        const runId = randomUUID();
        let s = start(
          compiled,
          {
            kind: 'incomingCall',
            runId,
            from: '+15551234567',
            to: '+18005550100',
            incomingCallContext: 'ctx',
          },
          Date.now(),
        ).state;
        s = step(
          compiled,
          s,
          {
            id: randomUUID(),
            type: 'CallConnected',
            callConnectionId: `cc-${runId}`,
            operationContext: s.awaiting!.operationContext,
          },
          Date.now(),
        ).state;
        states.set(runId, s);
        let context = s.awaiting!.operationContext;
        while (memSent < EVENTS) {
          memSent++;
          const seq = Number(context.split(':')[1]);
          const next = `${runId}:${seq + 1}`;
          const acted = new Promise<number>((r) => acs.waiters.set(next, r));
          const at = performance.now();
          const res = await fetch(memUrl, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}` },
            body: JSON.stringify(
              cloudEvent('PlayCompleted', {
                callConnectionId: `cc-${runId}`,
                operationContext: context,
                resultInformation: { code: 200 },
              }),
            ),
          });
          await res.text();
          memLat.push((await acted) - at);
          context = next;
        }
      }),
    );
    results['in-memory handler (no DB)'] = {
      perSecond: memLat.length / ((performance.now() - m0) / 1000),
      p50: pct(memLat, 50),
      p99: pct(memLat, 99),
    };
    await new Promise<void>((r) => {
      mem.closeAllConnections();
      mem.close(() => r());
    });
  } finally {
    await engine.close();
    await pgServer.stop();
    await acs.close();
    jwksServer.close();
    await rm(base, { recursive: true, force: true });
  }

  const engineR = results['engine (HTTP + Postgres)']!;
  console.log(`\nSwitchboard runtime benchmark: ${EVENTS} events, concurrency ${CONCURRENCY}\n`);
  console.log(
    '  what                              events/s    p50 ms   p99 ms   engine/this (events/s)',
  );
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `  ${name.padEnd(32)} ${r.perSecond.toFixed(0).padStart(9)} ${r.p50.toFixed(2).padStart(9)} ${r.p99.toFixed(2).padStart(8)}   ${(engineR.perSecond / r.perSecond).toFixed(2)}`,
    );
  }
  console.log('');
}

await main();
process.exit(0);
