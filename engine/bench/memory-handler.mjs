/**
 * The hand-written in-memory handler the engine is compared with, in its own process: the same
 * HTTP + RS256 JWT verification (the engine's CallbackAuth, keys from the same JWKS URL) + SDK
 * parse + pure `step` + SDK send (the engine's AcsGateway) as the engine's callback path, with the
 * run state in a Map instead of Postgres.
 */
import http from 'node:http';
import { compileFlow, start, step } from '@switchboard/flow';

const { loadConfig } = await import('../dist/src/config/config.js');
const { AcsGateway } = await import('../dist/src/acs/acs.gateway.js');
const { CallbackAuth } = await import('../dist/src/acs/callback-auth.js');
const { parseCallback } = await import('../dist/src/acs/acs-inbound.js');

process.on('message', (msg) => {
  if (msg.type === 'start') void begin(msg);
  if (msg.type === 'stop') process.exit(0);
});

async function begin({ env, flow, runs }) {
  const config = loadConfig(env);
  const gateway = new AcsGateway(config);
  const compiled = compileFlow(flow);
  const auth = new CallbackAuth(config);
  const states = new Map();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        await auth.verify(req.headers.authorization);
        const { event } = parseCallback(JSON.parse(Buffer.concat(chunks).toString()));
        const runId = event.operationContext.split(':')[0];
        const r = step(compiled, states.get(runId), event, Date.now());
        states.set(runId, r.state);
        res.writeHead(200);
        res.end();
        for (const a of r.actions)
          if (a.kind !== 'end') await gateway.send(a, r.state.call.callConnectionId, Date.now());
      })().catch((e) => {
        res.writeHead(500);
        res.end(String(e));
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const started = [];
  for (let i = 0; i < runs; i++) {
    const runId = crypto.randomUUID();
    const trigger = {
      kind: 'incomingCall',
      runId,
      from: '+15551234567',
      to: '+18005550100',
      incomingCallContext: 'ctx',
    };
    let s = start(compiled, trigger, Date.now()).state;
    // The answer's result (the engine learns the call connection from the answer response).
    s = step(
      compiled,
      s,
      {
        id: `result:${runId}`,
        type: 'ActionResult',
        operationContext: s.awaiting.operationContext,
        callConnectionId: `cc-${runId}`,
        resultInformation: { code: 200 },
      },
      Date.now(),
    ).state;
    states.set(runId, s);
    started.push({ runId, operationContext: s.awaiting.operationContext });
  }
  process.send({
    type: 'ready',
    url: `http://127.0.0.1:${server.address().port}`,
    runs: started,
  });
}
