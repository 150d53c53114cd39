import http from 'node:http';
import https from 'node:https';

export interface PostResult {
  status?: number;
  body?: string;
  error?: string;
  /** No answer within the timeout (the request was abandoned). */
  timedOut?: boolean;
}

/** Keep-alive agents shared by every outbound delivery (callbacks and Event Grid). */
export class Deliverer {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 512 });

  /** Resolves with the answer or what went wrong; never rejects, whatever the URL or peer do. */
  post(
    url: URL,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
    readBody = false,
  ): Promise<PostResult> {
    return new Promise((resolve) => {
      let timedOut = false;
      try {
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
        req.setTimeout(timeoutMs, () => {
          timedOut = true;
          req.destroy(new Error(`timed out after ${timeoutMs} ms`));
        });
        req.on('error', (e) =>
          resolve(timedOut ? { error: e.message, timedOut } : { error: e.message }),
        );
        req.end(body);
      } catch (e) {
        // e.g. ERR_INVALID_PROTOCOL for a URL no http(s) client can post to.
        resolve({ error: e instanceof Error ? e.message : String(e) });
      }
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
