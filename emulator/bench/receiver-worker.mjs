// A callback receiver that answers 204 at once, on its own thread so it does not share the
// emulator's core. Reports its port, then counts requests on demand.
import http from 'node:http';
import { parentPort } from 'node:worker_threads';

let received = 0;
const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    res.writeHead(204);
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m === 'count') parentPort.postMessage({ received });
  if (m === 'close') server.close(() => process.exit(0));
});
