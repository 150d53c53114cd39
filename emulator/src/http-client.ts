import http from 'node:http';
import https from 'node:https';

export interface PostResult {
  status?: number;
  headers?: http.IncomingHttpHeaders;
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
    return this.request('POST', url, body, headers, timeoutMs, readBody);
  }

  /** Any method (Event Grid's CloudEvents handshake is an OPTIONS); answers the response headers too. */
  request(
    method: string,
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
            method,
            agent: isHttps ? this.httpsAgent : this.httpAgent,
            headers: {
              ...(body ? { 'content-type': 'application/json' } : {}),
              'content-length': Buffer.byteLength(body),
              ...headers,
            },
          },
          (res) => {
            const status = res.statusCode ?? 0;
            const answered = res.headers;
            if (!readBody) {
              res.resume();
              res.on('end', () => resolve({ status, headers: answered }));
              res.on('error', (e) => resolve({ status, error: e.message }));
              return;
            }
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status, headers: answered, body: Buffer.concat(chunks).toString('utf8') }),
            );
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
