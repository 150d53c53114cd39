/**
 * The web server every sample app here runs, written as Microsoft's Call Automation quickstarts
 * write theirs, on plain `node:http`:
 *
 * - `POST /api/incomingCall` — the Event Grid webhook (Event Grid schema): answers the
 *   SubscriptionValidation handshake with `{ validationResponse }` and hands each
 *   `Microsoft.Communication.IncomingCall` to the app;
 * - `POST /api/callbacks…` — the Call Automation callback URL: a JSON array of CloudEvents, each
 *   read with the SDK's `parseCallAutomationEvent`, after the request's bearer JWT is verified
 *   against the service's signing keys, issuer and audience (the "secure webhook endpoint"
 *   how-to's OpenID Connect validation; the settings come from the deployment's configuration);
 * - `GET` routes the app adds (e.g. a lobby's waiting list for the agent desk).
 *
 * Nothing here knows it is talking to an emulator. It answers each delivery before acting on it,
 * as a webhook should (a slow answer is retried by the sender), and keeps what it saw — the
 * deployment's "logs" — for whoever runs it.
 */
import {
  parseCallAutomationEvent,
  type CallAutomationEvent,
} from '@azure/communication-call-automation';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the app recognises ACS's callbacks: the signing keys, issuer and audience to expect. */
export interface CallbackAuthSettings {
  /** The JWKS the callback tokens are signed with (the OpenID configuration's `jwks_uri`). */
  jwksUrl: string;
  issuer: string;
  /** The ACS resource's immutable id. */
  audience: string;
}

/** What every app of this folder is configured with, as a real deployment is. */
export interface AcsAppConfig {
  connectionString: string;
  /** The app's public base URL (a dev tunnel, an App Service); callbacks go under it. */
  callbackBaseUrl: string;
  /** The Azure AI services resource linked for text-to-speech and speech recognition. */
  cognitiveServicesEndpoint: string;
  callbackAuth: CallbackAuthSettings;
  /** The local port to listen on; default 8080. */
  port?: number;
  host?: string;
}

/** An identifier as Event Grid's events carry it (the REST model, not the SDK's). */
export interface IdentifierModel {
  kind?: string;
  rawId: string;
  phoneNumber?: { value: string };
  communicationUser?: { id: string };
}

/** `Microsoft.Communication.IncomingCall`'s data, as Event Grid delivers it. */
export interface IncomingCallEventData {
  to: IdentifierModel;
  from: IdentifierModel;
  serverCallId: string;
  callerDisplayName?: string;
  incomingCallContext: string;
  correlationId: string;
  customContext?: { sipHeaders?: Record<string, string>; voipHeaders?: Record<string, string> };
}

interface EventGridEvent {
  id: string;
  eventType: string;
  subject?: string;
  data: Record<string, unknown>;
}

export interface WebhookHandlers {
  incomingCall?(data: IncomingCallEventData): Promise<void>;
  callback(event: CallAutomationEvent, url: URL): Promise<void>;
  /** GET routes: an answer to send as JSON, or undefined for a 404. */
  get?(path: string): unknown;
}

/** What the app saw, kept like its logs. */
export class AppLog {
  readonly incomingCalls: IncomingCallEventData[] = [];
  readonly events: CallAutomationEvent[] = [];
  /** Event Grid validation codes this app answered. */
  readonly validations: string[] = [];
  /** Callback requests turned away for a missing or bad token. */
  readonly unauthenticated: string[] = [];
  /** Whatever went wrong while the app acted on an event (should stay empty). */
  readonly errors: string[] = [];

  of(callConnectionId: string): CallAutomationEvent[] {
    return this.events.filter((e) => e.callConnectionId === callConnectionId);
  }

  kinds(callConnectionId: string): string[] {
    return this.of(callConnectionId).map((e) => e.kind);
  }
}

export interface WebhookServer {
  readonly url: string;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startWebhookServer(
  config: AcsAppConfig,
  handlers: WebhookHandlers,
  log: AppLog,
): Promise<WebhookServer> {
  const jwks = createRemoteJWKSet(new URL(config.callbackAuth.jwksUrl));
  const failed = (e: unknown) => log.errors.push(e instanceof Error ? e.message : String(e));

  async function authenticated(req: http.IncomingMessage): Promise<boolean> {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) return false;
    try {
      await jwtVerify(header.slice('Bearer '.length), jwks, {
        issuer: config.callbackAuth.issuer,
        audience: config.callbackAuth.audience,
        algorithms: ['RS256'],
      });
      return true;
    } catch {
      return false;
    }
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', config.callbackBaseUrl);
    void (async () => {
      const body = await readBody(req);
      if (req.method === 'POST' && url.pathname === '/api/incomingCall') {
        const events = JSON.parse(body) as EventGridEvent[];
        const validation = events.find(
          (e) => e.eventType === 'Microsoft.EventGrid.SubscriptionValidationEvent',
        );
        if (validation) {
          const code = validation.data.validationCode as string;
          log.validations.push(code);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ validationResponse: code }));
          return;
        }
        res.writeHead(200);
        res.end();
        for (const e of events) {
          if (e.eventType !== 'Microsoft.Communication.IncomingCall') continue;
          const data = e.data as unknown as IncomingCallEventData;
          log.incomingCalls.push(data);
          await handlers.incomingCall?.(data).catch(failed);
        }
        return;
      }
      if (req.method === 'POST' && url.pathname.startsWith('/api/callbacks')) {
        if (!(await authenticated(req))) {
          log.unauthenticated.push(url.pathname);
          res.writeHead(401);
          res.end();
          return;
        }
        res.writeHead(200);
        res.end();
        for (const raw of JSON.parse(body) as Record<string, unknown>[]) {
          const event = parseCallAutomationEvent(raw);
          log.events.push(event);
          await handlers.callback(event, url).catch(failed);
        }
        return;
      }
      const answer = req.method === 'GET' ? handlers.get?.(url.pathname) : undefined;
      if (answer !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
        return;
      }
      res.writeHead(404);
      res.end();
    })().catch((e: unknown) => {
      failed(e);
      if (!res.headersSent) res.writeHead(400);
      res.end();
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(config.port ?? 8080, config.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${config.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The SDK identifier for an Event Grid identifier model (phones and ACS users). */
export function identifierOf(
  model: IdentifierModel,
): { phoneNumber: string } | { communicationUserId: string } {
  if (model.phoneNumber) return { phoneNumber: model.phoneNumber.value };
  if (model.communicationUser) return { communicationUserId: model.communicationUser.id };
  throw new Error(`unsupported participant ${model.rawId}`);
}

/** Tells the CloudEvents apart by their kind, narrowing the type. */
export function is<K extends CallAutomationEvent['kind']>(
  event: CallAutomationEvent,
  kind: K,
): event is Extract<CallAutomationEvent, { kind: K }> {
  return event.kind === kind;
}
