import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallModel } from './call-model.js';
import {
  parseBehaviour,
  parseCallEndpoints,
  parseScript,
  type EndpointRegistry,
} from './endpoints.js';
import { AcsHttpError, badRequest } from './errors.js';
import type { EventGridPublisher } from './event-grid.js';
import type { FaultInjector } from './faults.js';
import { parseJson, send } from './http-util.js';
import { parseIdentityString } from './identifiers.js';
import type { Monitor } from './monitor.js';
import type { CallbackDispatcher } from './callbacks.js';

export interface ControlInfo {
  url: string;
  httpsUrl?: string;
  connectionString: string;
  issuer: string;
  audience: string;
  jwksUrl: string;
  openIdConfigUrl: string;
  caCertPath?: string;
  timeScale: number;
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** JSON control API under /emulator/ for tests, demos, the designer and benchmarks. */
export class ControlApi {
  private readonly streams = new Set<ServerResponse>();

  constructor(
    private readonly deps: {
      model: CallModel;
      endpoints: EndpointRegistry;
      faults: FaultInjector;
      eventGrid: EventGridPublisher;
      monitor: Monitor;
      callbacks: CallbackDispatcher;
      info: () => ControlInfo;
    },
  ) {}

  handle(req: IncomingMessage, res: ServerResponse, rawBody: Buffer, url: URL): void {
    try {
      const r = this.route(req.method ?? 'GET', url, rawBody, req, res);
      if (r !== 'streaming') send(res, r.status, r.body);
    } catch (e) {
      const err =
        e instanceof AcsHttpError ? e : new AcsHttpError(500, 'InternalServerError', String(e));
      send(res, err.status, err.body());
    }
  }

  private route(
    method: string,
    url: URL,
    rawBody: Buffer,
    req: IncomingMessage,
    res: ServerResponse,
  ): { status: number; body?: unknown } | 'streaming' {
    const { model, endpoints, faults, eventGrid, monitor, callbacks } = this.deps;
    const parts = url.pathname
      .split('/')
      .filter(Boolean)
      .slice(1)
      .map((p) => decodeURIComponent(p));
    const [resource, id, sub] = parts;
    const body = () => parseJson(rawBody);
    const route = `${method} ${resource ?? ''}${id !== undefined ? '/:id' : ''}${sub ? `/${sub}` : ''}`;

    switch (route) {
      case 'GET ':
        return { status: 200, body: this.deps.info() };
      case 'GET stats':
        return {
          status: 200,
          body: {
            calls: model.calls.size,
            callbacks: {
              sent: callbacks.sent,
              delivered: callbacks.delivered,
              failed: callbacks.failed,
            },
            subscriptions: eventGrid.list(),
          },
        };
      case 'POST calls': {
        const b = body();
        const from = str(b.from);
        const to = str(b.to);
        if (!from || !to) throw badRequest("'from' and 'to' are required.");
        const call = model.placeCall({
          from,
          to,
          callerDisplayName: str(b.callerDisplayName),
          script: parseScript(b.script),
          customContext: b.customContext as Record<string, unknown> | undefined,
          endpoints: parseCallEndpoints(b.endpoints, endpoints.defaults),
        });
        return {
          status: 201,
          body: {
            serverCallId: call.serverCallId,
            correlationId: call.correlationId,
            incomingCallContext: call.incoming?.context,
          },
        };
      }
      case 'GET calls': {
        const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? '100') || 100);
        const calls = [...model.calls.values()]
          .slice(-limit)
          .reverse()
          .map((c) => c.summary());
        return { status: 200, body: { calls } };
      }
      case 'GET calls/:id': {
        const call = model.getCall(id!);
        return { status: 200, body: { ...call.summary(), timeline: call.timeline } };
      }
      case 'POST calls/:id/dtmf': {
        const b = body();
        const gap = typeof b.gapMs === 'number' ? b.gapMs : undefined;
        model.callerDtmf(id!, b.tones, str(b.participant), gap);
        return { status: 202, body: {} };
      }
      case 'POST calls/:id/speech': {
        const b = body();
        const text = str(b.text);
        if (!text) throw badRequest("'text' is required.");
        model.callerSpeech(id!, text, str(b.participant));
        return { status: 202, body: {} };
      }
      case 'POST calls/:id/hangup': {
        const b = rawBody.length ? body() : {};
        model.callerHangup(id!, str(b.participant));
        return { status: 202, body: {} };
      }
      case 'GET endpoints':
        return { status: 200, body: { default: endpoints.defaults, endpoints: endpoints.list() } };
      case 'PUT endpoints/:id': {
        if (id === 'default') {
          endpoints.defaults = parseBehaviour(body(), endpoints.defaults);
          return { status: 200, body: endpoints.defaults };
        }
        const rawId = parseIdentityString(id!).rawId;
        const behaviour = parseBehaviour(body(), endpoints.defaults);
        endpoints.set(rawId, behaviour);
        return { status: 200, body: { rawId, ...behaviour } };
      }
      case 'DELETE endpoints/:id':
        endpoints.delete(parseIdentityString(id!).rawId);
        return { status: 204 };
      case 'GET faults':
        return { status: 200, body: faults.current };
      case 'PUT faults':
        return { status: 200, body: faults.set(body()) };
      case 'DELETE faults':
        return { status: 200, body: faults.reset() };
      case 'GET subscriptions':
        return { status: 200, body: { subscriptions: eventGrid.list() } };
      case 'POST subscriptions': {
        const u = str(body().url);
        if (!u) throw badRequest("'url' is required.");
        try {
          return { status: 201, body: eventGrid.add(u) };
        } catch (e) {
          if (e instanceof AcsHttpError) throw e;
          throw badRequest(`Invalid subscription url '${u}'.`);
        }
      }
      case 'DELETE subscriptions': {
        const u = url.searchParams.get('url');
        if (!u) throw badRequest("'url' query parameter is required.");
        return eventGrid.remove(u)
          ? { status: 204 }
          : {
              status: 404,
              body: { error: { code: 'NotFound', message: 'No such subscription.' } },
            };
      }
      case 'GET eventgrid/:id': // /emulator/eventgrid/validate?id=…
        if (id !== 'validate') break;
        return eventGrid.validateManually(url.searchParams.get('id') ?? '')
          ? { status: 200, body: { validated: true } }
          : {
              status: 404,
              body: { error: { code: 'NotFound', message: 'Unknown validation code.' } },
            };
      case 'GET stream':
        this.stream(req, res, monitor);
        return 'streaming';
    }
    throw new AcsHttpError(404, 'NotFound', `No control route for ${method} ${url.pathname}.`);
  }

  /** Server-Sent Events of every timeline entry, for the designer's test-call panel. */
  private stream(req: IncomingMessage, res: ServerResponse, monitor: Monitor): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write(`event: hello\ndata: ${JSON.stringify(this.deps.info())}\n\n`);
    const unsubscribe = monitor.subscribe((entry) => {
      res.write(`event: ${entry.kind}\ndata: ${JSON.stringify(entry)}\n\n`);
    });
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    this.streams.add(res);
    const done = () => {
      clearInterval(ping);
      unsubscribe();
      this.streams.delete(res);
    };
    req.on('close', done);
    res.on('close', done);
  }

  close(): void {
    for (const res of this.streams) res.end();
  }
}
