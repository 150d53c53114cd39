import {
  CallAutomationClient,
  parseCallAutomationEvent,
} from '@azure/communication-call-automation';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signRequest, startEmulator, type Emulator, type EmulatorOptions } from '../src/index.js';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  at: number;
}

export interface CallbackEvent {
  id: string;
  type: string;
  kind: string;
  data: Record<string, unknown>;
  authorization?: string;
  path: string;
}

/**
 * A real HTTP receiver standing in for the app: collects callbacks and Event Grid deliveries,
 * answers Event Grid's validation handshake, and lets a test script its HTTP status answers.
 */
export class Receiver {
  readonly requests: Received[] = [];
  /** Status answers per path prefix, consumed first-in first-out; default 200. */
  readonly statusPlan = new Map<string, number[]>();
  /** Requests this returns true for are recorded but never answered (an app that hangs). */
  stall: (r: Received) => boolean = () => false;
  private waiters: (() => void)[] = [];
  url = '';
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text ? JSON.parse(text) : undefined;
      const path = req.url ?? '/';
      const method = req.method ?? 'GET';
      const received: Received = { method, path, headers: req.headers, body, at: Date.now() };
      this.requests.push(received);
      if (this.stall(received)) {
        for (const w of this.waiters.splice(0)) w();
        return;
      }
      const planned = [...this.statusPlan.entries()].find(([prefix]) => path.startsWith(prefix));
      const status = planned?.[1].shift() ?? 200;
      const origin = req.headers['webhook-request-origin'];
      if (method === 'OPTIONS' && typeof origin === 'string' && status === 200) {
        // CloudEvents abuse protection: consent to deliveries from this origin.
        res.writeHead(200, { 'webhook-allowed-origin': origin, 'webhook-allowed-rate': '*' });
        res.end();
      } else if (req.headers['aeg-event-type'] === 'SubscriptionValidation' && status === 200) {
        const code = (body as { data: { validationCode: string } }[])[0]!.data.validationCode;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ validationResponse: code }));
      } else {
        res.writeHead(status);
        res.end();
      }
      for (const w of this.waiters.splice(0)) w();
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }

  /** Resolves once `check` returns a value (re-checked on every request), or rejects on timeout. */
  async waitFor<T>(
    check: () => T | undefined | false | Promise<T | undefined | false>,
    timeoutMs = 5000,
    what = 'condition',
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await check();
      if (v) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Callback CloudEvents received at `pathPrefix`, optionally for one call connection. */
  callbacks(callConnectionId?: string, pathPrefix = '/callbacks'): CallbackEvent[] {
    return this.requests
      .filter((r) => r.path.startsWith(pathPrefix) && Array.isArray(r.body))
      .map((r) => {
        const [ev] = r.body as { id: string; type: string; data: Record<string, unknown> }[];
        // parseCallAutomationEvent mutates its input, so it gets a copy.
        const parsed = parseCallAutomationEvent(structuredClone(r.body) as string) as {
          kind: string;
        };
        return {
          id: ev!.id,
          type: ev!.type,
          kind: parsed.kind,
          data: ev!.data,
          authorization: r.headers.authorization,
          path: r.path,
        };
      })
      .filter((e) => !callConnectionId || e.data.callConnectionId === callConnectionId);
  }

  kinds(callConnectionId?: string, pathPrefix?: string): string[] {
    return this.callbacks(callConnectionId, pathPrefix).map((e) => e.kind);
  }

  /** Waits until the connection has received these callback kinds (in any order, at least). */
  async waitForKinds(
    callConnectionId: string,
    kinds: string[],
    timeoutMs = 5000,
    pathPrefix?: string,
  ) {
    return this.waitFor(
      () => {
        const got = this.kinds(callConnectionId, pathPrefix);
        return kinds.every((k) => got.includes(k)) ? got : undefined;
      },
      timeoutMs,
      `${kinds.join(', ')} (got ${this.kinds(callConnectionId, pathPrefix).join(', ')})`,
    );
  }

  /** Event Grid deliveries (either schema), optionally of one event type and under one path. */
  eventGrid(type?: string, pathPrefix = ''): Received[] {
    return this.requests.filter((r) => {
      if (r.headers['aeg-event-type'] !== 'Notification' || !r.path.startsWith(pathPrefix)) {
        return false;
      }
      const ev = (r.body as { eventType?: string; type?: string }[])[0]!;
      return !type || (ev.eventType ?? ev.type) === type;
    });
  }

  /** IncomingCall data delivered under `pathPrefix`, optionally only those to `to` (a raw id). */
  incomingCalls(pathPrefix = '', to?: string): IncomingCallData[] {
    return this.eventGrid('Microsoft.Communication.IncomingCall', pathPrefix)
      .map((r) => (r.body as { data: IncomingCallData }[])[0]!.data)
      .filter((d) => !to || d.to.rawId === to);
  }
}

export interface IncomingCallData {
  to: { rawId: string; kind?: string };
  from: { rawId: string; kind?: string };
  serverCallId: string;
  callerDisplayName: string;
  customContext: { sipHeaders?: Record<string, string>; voipHeaders?: Record<string, string> };
  incomingCallContext: string;
  correlationId: string;
}

export interface Harness {
  emulator: Emulator;
  receiver: Receiver;
  client: CallAutomationClient;
  callbackUri: string;
  close(): Promise<void>;
}

export const APP_USER =
  '8:acs:11111111-1111-1111-1111-111111111111_00000020-0000-0000-0000-000000000001';
export const CALLER = '+15551230001';
export const BUSINESS_NUMBER = '+18005550100';

export async function harness(options: EmulatorOptions = {}): Promise<Harness> {
  const receiver = await new Receiver().start();
  const emulator = await startEmulator({
    timeScale: 0.01,
    eventGridSubscribers: [`${receiver.url}/api/acs/events`],
    logLevel: 'silent',
    // A busy CI box can take longer than a compressed minute to answer; tests of abandonment
    // use caller scripts instead.
    callModel: { incomingRingTimeoutMs: 3_600_000 },
    ...options,
  });
  const client = new CallAutomationClient(emulator.httpConnectionString, {
    allowInsecureConnection: true,
    sourceIdentity: { communicationUserId: APP_USER },
    retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
  return {
    emulator,
    receiver,
    client,
    callbackUri: `${receiver.url}/callbacks`,
    async close() {
      await emulator.close();
      await receiver.close();
    },
  };
}

/**
 * Like `harness()`, but the app's client is the unmodified SDK on the HTTPS connection string —
 * no `allowInsecureConnection` — trusting the emulator's certificate through NODE_EXTRA_CA_CERTS
 * (set for every test worker by test/global-setup.ts).
 */
export async function httpsHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const dataDir = process.env.SWITCHBOARD_EMULATOR_TEST_TLS_DIR;
  if (!dataDir || !process.env.NODE_EXTRA_CA_CERTS) {
    throw new Error('httpsHarness needs test/global-setup.ts (NODE_EXTRA_CA_CERTS)');
  }
  const h = await harness({ https: true, dataDir, ...options });
  return {
    ...h,
    client: new CallAutomationClient(h.emulator.connectionString, {
      sourceIdentity: { communicationUserId: APP_USER },
      retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 },
    }),
  };
}

/** Places an inbound call and returns the IncomingCall data once Event Grid delivered it. */
export async function incomingCall(
  h: Harness,
  from = CALLER,
  to = BUSINESS_NUMBER,
  script?: unknown,
) {
  const placed = await h.emulator.control.placeCall({ from, to, script: script as never });
  const delivery = await h.receiver.waitFor(
    () =>
      h.receiver
        .eventGrid('Microsoft.Communication.IncomingCall')
        .find(
          (r) =>
            (r.body as { data: { serverCallId: string } }[])[0]!.data.serverCallId ===
            placed.serverCallId,
        ),
    5000,
    'IncomingCall',
  );
  const data = (delivery.body as { data: { incomingCallContext: string } }[])[0]!.data;
  return { ...placed, data, delivery };
}

/**
 * Answers an inbound call with the SDK (Cognitive Services linked) and waits for CallConnected +
 * ParticipantsUpdated.
 */
export async function answeredCall(h: Harness, script?: unknown, from = CALLER) {
  const incoming = await incomingCall(h, from, BUSINESS_NUMBER, script);
  const answer = await h.client.answerCall(incoming.data.incomingCallContext, h.callbackUri, {
    operationContext: 'ctx-answer',
    // As an app that prompts with text-to-speech links its Cognitive Services resource.
    callIntelligenceOptions: { cognitiveServicesEndpoint: h.emulator.cognitiveServicesEndpoint },
  });
  const id = answer.callConnectionProperties.callConnectionId!;
  await h.receiver.waitForKinds(id, ['CallConnected', 'ParticipantsUpdated']);
  return { ...incoming, answer, id, connection: answer.callConnection };
}

export async function verifyCallbackJwt(authorization: string | undefined, emulator: Emulator) {
  if (!authorization?.startsWith('Bearer ')) throw new Error('no bearer token');
  const jwks = createRemoteJWKSet(new URL(emulator.jwksUrl));
  const { payload, protectedHeader } = await jwtVerify(authorization.slice(7), jwks, {
    issuer: emulator.issuer,
    audience: emulator.audience,
    algorithms: ['RS256'],
  });
  return { payload, protectedHeader };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw, correctly signed REST request: what the SDK has no method for, or sends differently. */
export async function signedRequest(
  emulator: Emulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string | undefined }> {
  const url = new URL(`${emulator.url}${path}?api-version=2026-03-12`);
  const text = body === undefined ? '' : JSON.stringify(body);
  const res = await fetch(url, {
    method,
    headers: {
      ...signRequest(method, url, text, emulator.accessKey),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : text,
  });
  return { status: res.status, body: (await res.text()) || undefined };
}
