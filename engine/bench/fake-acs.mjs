/**
 * Fake ACS for the runtime benchmark, in a worker thread of the driver process (never in the
 * engine's process): answers every Call Automation request (200 with a call connection for
 * `:answer`, 202 otherwise), and reports each request's operationContext with its arrival time
 * (process.hrtime, shared by all threads of the process) to the driver in batches.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

const now = () => Number(process.hrtime.bigint()) / 1e6;
let batch = [];
let flushing = false;
const report = (ctx, at) => {
  batch.push(ctx, at);
  if (flushing) return;
  flushing = true;
  setImmediate(() => {
    flushing = false;
    const b = batch;
    batch = [];
    parentPort.postMessage(b);
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
    if ((req.url ?? '').includes(':answer')) {
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
    if (typeof body.operationContext === 'string') report(body.operationContext, at);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  parentPort.postMessage({ url: `http://127.0.0.1:${server.address().port}` });
});
parentPort.on('message', (m) => {
  if (m === 'close') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
