/**
 * Fake ACS for the benchmarks, in a worker thread or a child process of the driver (never in the
 * engine's process): answers every Call Automation request (200 with a call connection for
 * `:answer`, 202 otherwise), and reports each request's operationContext with its arrival time
 * (process.hrtime: CLOCK_MONOTONIC, the same clock in every process and thread), the kind of request (the path after
 * the call connection) and, for an answer, the call connection it gave, to the driver in
 * batches. An answer is also reported under `answer:<incomingCallContext>`: a driver that sent
 * an IncomingCall knows only that.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

/** A worker thread's port, or (forked) this process's IPC channel. */
const port = parentPort ?? {
  postMessage: (m) => process.send(m),
  on: (event, listener) => process.on(event, listener),
};

const now = () => Number(process.hrtime.bigint()) / 1e6;
let batch = [];
let flushing = false;
const report = (key, arrival) => {
  batch.push(key, arrival);
  if (flushing) return;
  flushing = true;
  setImmediate(() => {
    flushing = false;
    const b = batch;
    batch = [];
    port.postMessage(b);
  });
};

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = now();
    let body = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    } catch {
      /* not JSON: still answered */
    }
    const path = (req.url ?? '').split('?')[0];
    const kind = path.slice(path.lastIndexOf('/') + 1).replace(/^[^:]*/, '') || path;
    const arrival = { at, kind, operationContext: body.operationContext };
    if (kind === ':answer') {
      arrival.callConnectionId = `cc-${randomUUID()}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          callConnectionId: arrival.callConnectionId,
          callConnectionState: 'connecting',
        }),
      );
      if (typeof body.incomingCallContext === 'string')
        report(`answer:${body.incomingCallContext}`, arrival);
    } else {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{}');
    }
    if (typeof body.operationContext === 'string') report(body.operationContext, arrival);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  port.postMessage({ url: `http://127.0.0.1:${server.address().port}` });
});
port.on('message', (m) => {
  if (m === 'close') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
