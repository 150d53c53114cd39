/**
 * The hand-written in-memory handler the engine is compared with, in its own process: the same
 * HTTP + RS256 JWT verification (the engine's CallbackAuth, keys from the same JWKS URL) + SDK
 * parse + pure `step` + SDK send (the engine's AcsGateway) as the engine's callback path, with the
 * run state in a Map instead of Postgres.
 */
import { compileFlow, step } from '@switchboard/flow';
import { AcsGateway, answeredRun, callbackServer, loadConfig } from './peer-kit.mjs';

process.on('message', (msg) => {
  if (msg.type === 'start') void begin(msg);
  if (msg.type === 'stop') process.exit(0);
});

async function begin({ env, flow, runs }) {
  const config = loadConfig(env);
  const gateway = new AcsGateway(config);
  const compiled = compileFlow(flow);
  const states = new Map();
  const server = await callbackServer(config, async (event, runId, res) => {
    const r = step(compiled, states.get(runId), event, Date.now());
    states.set(runId, r.state);
    res.writeHead(200);
    res.end();
    for (const a of r.actions)
      if (a.kind !== 'end') await gateway.send(a, r.state.call.callConnectionId, Date.now());
  });
  const started = [];
  for (let i = 0; i < runs; i++) {
    const { runId, state, operationContext } = answeredRun(compiled);
    states.set(runId, state);
    started.push({ runId, operationContext });
  }
  process.send({
    type: 'ready',
    url: `http://127.0.0.1:${server.address().port}`,
    runs: started,
  });
}
