import http from 'node:http';
import https from 'node:https';

export interface PostResult {
  status?: number;
  body?: string;
  error?: string;
}

/** Keep-alive agents shared by every outbound delivery (callbacks and Event Grid). */
export class Deliverer {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 512 });

  post(
    url: URL,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
    readBody = false,
  ): Promise<PostResult> {
    return new Promise((resolve) => {
      const isHttps = url.protocol === 'https:';
      const req = (isHttps ? https : http).request(
        url,
        {
          method: 'POST',
          agent: isHttps ? this.httpsAgent : this.httpAgent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...headers,
          },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (!readBody) {
            res.resume();
            res.on('end', () => resolve({ status }));
            res.on('error', (e) => resolve({ status, error: e.message }));
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (e) => resolve({ status, error: e.message }));
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
      req.on('error', (e) => resolve({ error: e.message }));
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
