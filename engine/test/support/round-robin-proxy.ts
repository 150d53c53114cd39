import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny loopback round-robin HTTP proxy in front of engine processes (what a deployment's
 * reverse proxy does): each request goes to the next upstream; one that refuses the connection
 * (a killed engine) is skipped for the next, and only when every upstream failed does the client
 * get a 502. Bodies are buffered (callbacks and API calls are small).
 */
export interface RoundRobinProxy {
  url: string;
  /** Requests forwarded, by upstream, and requests no upstream took (502). */
  readonly forwarded: number[];
  readonly failed: number;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(upstreams: string[]): Promise<RoundRobinProxy> {
  let next = 0;
  const forwarded = upstreams.map(() => 0);
  let failed = 0;
  const targets = upstreams.map((u) => new URL(u));
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const first = next++ % targets.length;
      const attempt = (tried: number) => {
        const i = (first + tried) % targets.length;
        const target = targets[i]!;
        const upstream = request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: target.host, 'content-length': body.length },
          },
          (up) => {
            forwarded[i]!++;
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on('error', (e: NodeJS.ErrnoException) => {
          if (res.headersSent) return void res.destroy();
          // Refused (the process is gone): nothing reached it, the next one may take it.
          if (e.code === 'ECONNREFUSED' && tried + 1 < targets.length) return attempt(tried + 1);
          failed++;
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`proxy: ${e.code ?? e.message}`);
        });
        upstream.end(body);
      };
      attempt(0);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    get failed() {
      return failed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
