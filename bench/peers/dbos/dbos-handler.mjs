/**
 * The DBOS peer: the engine's per-callback work written idiomatically on DBOS Transact
 * (@dbos-inc/dbos-sdk), in its own process, speaking engine/bench/memory-handler.mjs's IPC
 * protocol so the runtime benchmark drives it like any other target. Never imported by product
 * code.
 *
 * One durable workflow per call (workflow id = run id). A callback is the same HTTP + RS256 JWT
 * check (the engine's CallbackAuth, same JWKS) + SDK parse (the engine's AcsGateway) as the
 * in-memory handler; it is then handed to the call's workflow with `DBOS.send` (idempotency key
 * = the CloudEvent id, so a redelivered callback is delivered once) and answered 200 when that
 * send has committed. The workflow `DBOS.recv`s each callback, decides with the same pure `step`
 * of @switchboard/flow (its clock is the receive time carried in the message, so a replay decides
 * the same) and performs each SDK call (the POST to the fake ACS) as a DBOS step. Same Postgres
 * server as the engine (DBOS's own system database on it), synchronous commit as configured
 * there (on).
 */
import { DBOS } from '@dbos-inc/dbos-sdk';
import { compileFlow, step } from '@switchboard/flow';
import {
  AcsGateway,
  answeredRun,
  callbackServer,
  loadConfig,
} from '../../../engine/bench/peer-kit.mjs';

process.on('message', (msg) => {
  if (msg.type === 'start') void begin(msg).catch((e) => fail(e));
  if (msg.type === 'stop') void DBOS.shutdown().finally(() => process.exit(0));
});

function fail(e) {
  process.send({ type: 'error', message: e instanceof Error ? e.stack : String(e) });
}

const TOPIC = 'callback';
let gateway;
let compiled;

/** One call: each callback received, decided, and its ACS requests sent as steps. */
async function callWorkflow(initial) {
  let state = initial;
  while (state.status === 'running') {
    const message = await DBOS.recv(TOPIC, { timeoutSeconds: 3600 });
    if (message === null) break;
    const r = step(compiled, state, message.event, message.at);
    state = r.state;
    for (const action of r.actions) {
      if (action.kind === 'end') continue;
      await DBOS.runStep(
        async () => {
          const outcome = await gateway.send(action, state.call.callConnectionId, message.at);
          if (!outcome.ok) throw new Error(`${action.kind}: ${outcome.code} ${outcome.message}`);
        },
        { name: action.kind },
      );
    }
  }
  return state.endReason ?? null;
}
const call = DBOS.registerWorkflow(callWorkflow, { name: 'call' });

async function begin({ env, flow, runs }) {
  const config = loadConfig(env);
  gateway = new AcsGateway(config);
  compiled = compileFlow(flow);
  const url = new URL(env.DATABASE_URL);
  url.pathname = '/dbos_bench';
  DBOS.setConfig({
    name: 'switchboard-bench',
    applicationVersion: '1',
    systemDatabaseUrl: url.href,
    systemDatabasePoolSize: Number(env.SWITCHBOARD_DB_POOL_SIZE ?? 20),
    logLevel: 'warn',
  });
  await DBOS.launch();

  const server = await callbackServer(config, async (event, runId, res) => {
    await DBOS.send(runId, { event, at: Date.now() }, TOPIC, event.id);
    res.writeHead(200);
    res.end();
  });

  const started = [];
  for (let i = 0; i < runs; i++) {
    // As the in-memory handler: the call answered (its result applied) before the workflow.
    const { runId, state: s, operationContext } = answeredRun(compiled);
    await DBOS.startWorkflow(call, { workflowID: runId })(s);
    started.push({ runId, operationContext });
  }
  process.send({
    type: 'ready',
    url: `http://127.0.0.1:${server.address().port}`,
    runs: started,
  });
}
