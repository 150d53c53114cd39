/**
 * What the benchmark's peer handlers (memory-handler.mjs, bench/peers/dbos) share, so that they
 * differ only in where a call's state lives: the callback server (the engine's CallbackAuth JWT
 * check and SDK parse, from engine/dist) and runs that start already answered.
 */
import http from 'node:http';
import { start, step } from '@switchboard/flow';

const engineDist = new URL('../dist/src/', import.meta.url);
export const { loadConfig } = await import(new URL('config/config.js', engineDist).href);
export const { AcsGateway } = await import(new URL('acs/acs.gateway.js', engineDist).href);
const { CallbackAuth } = await import(new URL('acs/callback-auth.js', engineDist).href);
const { parseCallback } = await import(new URL('acs/acs-inbound.js', engineDist).href);

/**
 * An HTTP server on a free loopback port that verifies each callback's JWT, parses it as the SDK
 * sends it and hands `onEvent(event, runId, res)` the event; `onEvent` answers. A failure is a 500.
 */
export async function callbackServer(config, onEvent) {
  const auth = new CallbackAuth(config);
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        await auth.verify(req.headers.authorization);
        const { event } = parseCallback(JSON.parse(Buffer.concat(chunks).toString()));
        await onEvent(event, event.operationContext.split(':')[0], res);
      })().catch((e) => {
        res.writeHead(500);
        res.end(String(e));
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

/**
 * A new incoming call's state with the answer's result applied (the engine learns the call
 * connection from the answer response), so the first callback finds it waiting in the menu.
 */
export function answeredRun(compiled) {
  const runId = crypto.randomUUID();
  const trigger = {
    kind: 'incomingCall',
    runId,
    from: '+15551234567',
    to: '+18005550100',
    incomingCallContext: 'ctx',
  };
  const s = start(compiled, trigger, Date.now()).state;
  const state = step(
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
  return { runId, state, operationContext: state.awaiting.operationContext };
}
