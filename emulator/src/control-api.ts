import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallModel } from './call-model.js';
import { parseBody } from './body-schema.js';
import {
  AddSubscriptionRequest,
  CallerDtmfRequest,
  CallerHangupRequest,
  CallerSpeechRequest,
  InjectResultRequest,
  type CallDetail,
  type CallList,
  type ControlInfo,
  type ControlStats,
  type EndpointAnswer,
  type EndpointList,
  type InjectedResultList,
  type PhoneNumberAnswer,
  type PhoneNumberList,
  PlaceCallHead,
  PlaceCallRequest,
  type PlacedCall,
  type SubscriptionList,
  type TokenVerdict,
  type UserList,
  VerifyTokenRequest,
} from './control-types.js';
import { parseBehaviour, parseCallEndpoints, type EndpointRegistry } from './endpoints.js';
import { AcsHttpError, badRequest } from './errors.js';
import type { EventGridPublisher } from './event-grid.js';
import type { FaultInjector } from './faults.js';
import { parseJson, send } from './http-util.js';
import { parseIdentityString, phone } from './identifiers.js';
import type { Monitor } from './monitor.js';
import { messageFor } from './result-codes.js';
import type { CallbackDispatcher } from './callbacks.js';
import type { EmulatedResource } from './resource.js';

export type { ControlInfo } from './control-types.js';

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
      resource: EmulatedResource;
      info: () => ControlInfo;
    },
  ) {}

  handle(req: IncomingMessage, res: ServerResponse, rawBody: Buffer, url: URL): void {
    try {
      refuseOtherSites(req);
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
        return { status: 200, body: this.info(req, url) };
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
            faults: structuredClone(faults.injected),
            subscriptions: eventGrid.list(),
          } satisfies ControlStats,
        };
      case 'POST calls': {
        const raw = body();
        parseBody(PlaceCallHead, raw);
        const b = parseBody(PlaceCallRequest, raw);
        const call = model.placeCall({
          from: b.from,
          to: b.to,
          callerDisplayName: b.callerDisplayName,
          script: b.script,
          customContext: b.customContext,
          endpoints: parseCallEndpoints(b.endpoints, endpoints.defaults),
        });
        return {
          status: 201,
          body: {
            serverCallId: call.serverCallId,
            correlationId: call.correlationId,
            incomingCallContext: call.incoming!.context,
          } satisfies PlacedCall,
        };
      }
      case 'GET calls': {
        const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? '100') || 100);
        const calls = [...model.calls.values()]
          .slice(-limit)
          .reverse()
          .map((c) => c.summary());
        return { status: 200, body: { calls } satisfies CallList };
      }
      case 'GET calls/:id': {
        const call = model.getCall(id!);
        return {
          status: 200,
          body: { ...call.summary(), timeline: call.timeline } satisfies CallDetail,
        };
      }
      case 'POST calls/:id/dtmf': {
        const b = parseBody(CallerDtmfRequest, body());
        model.callerDtmf(id!, b.tones, b.participant, b.gapMs);
        return { status: 202, body: {} };
      }
      case 'POST calls/:id/speech': {
        const b = parseBody(CallerSpeechRequest, body());
        model.callerSpeech(id!, b.text, b.participant, b.confidence);
        return { status: 202, body: {} };
      }
      case 'POST calls/:id/results':
      case 'POST results': {
        const b = parseBody(InjectResultRequest, body());
        const injected = model.injectResult({
          operation: b.operation,
          code: b.code,
          subCode: b.subCode,
          message: b.message ?? messageFor(b.code, b.subCode) ?? 'Injected failure.',
          times: b.times ?? 1,
          ...(id !== undefined ? { serverCallId: id } : {}),
        });
        return { status: 201, body: injected };
      }
      case 'GET results':
        return {
          status: 200,
          body: { pending: model.injectedResults() } satisfies InjectedResultList,
        };
      case 'DELETE results':
        model.clearInjectedResults();
        return { status: 204 };
      case 'POST calls/:id/hangup': {
        const b = parseBody(CallerHangupRequest, rawBody.length ? body() : {});
        model.callerHangup(id!, b.participant);
        return { status: 202, body: {} };
      }
      case 'GET endpoints':
        return {
          status: 200,
          body: {
            default: endpoints.defaults,
            endpoints: endpoints.list(),
          } satisfies EndpointList,
        };
      case 'PUT endpoints/:id': {
        if (id === 'default') {
          endpoints.defaults = parseBehaviour(body(), endpoints.defaults);
          return { status: 200, body: endpoints.defaults };
        }
        const rawId = parseIdentityString(id!).rawId;
        const behaviour = parseBehaviour(body(), endpoints.defaults);
        endpoints.set(rawId, behaviour);
        return { status: 200, body: { rawId, ...behaviour } satisfies EndpointAnswer };
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
        return {
          status: 200,
          body: { subscriptions: eventGrid.list() } satisfies SubscriptionList,
        };
      case 'POST subscriptions':
        return { status: 201, body: eventGrid.add(parseBody(AddSubscriptionRequest, body())) };
      case 'GET phone-numbers': {
        const { numbers } = this.deps.resource;
        return {
          status: 200,
          body: {
            phoneNumbers: numbers.list(),
            unlistedNumbers: numbers.unlisted,
          } satisfies PhoneNumberList,
        };
      }
      case 'PUT phone-numbers/:id': {
        const number = phone(id!).value;
        const added = this.deps.resource.numbers.add(number);
        return {
          status: added ? 201 : 200,
          body: { phoneNumber: number } satisfies PhoneNumberAnswer,
        };
      }
      case 'DELETE phone-numbers/:id':
        return this.deps.resource.numbers.remove(id!)
          ? { status: 204 }
          : {
              status: 404,
              body: {
                error: { code: 'NotFound', message: `${id} is not a number of this resource.` },
              },
            };
      case 'GET users':
        return {
          status: 200,
          body: { users: this.deps.resource.identities.list() } satisfies UserList,
        };
      case 'POST tokens/:id': // /emulator/tokens/verify
        if (id !== 'verify') break;
        return {
          status: 200,
          body: this.deps.resource.identities.verify(
            parseBody(VerifyTokenRequest, body()).token,
          ) satisfies TokenVerdict,
        };
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
        this.stream(req, res, monitor, url);
        return 'streaming';
    }
    throw new AcsHttpError(404, 'NotFound', `No control route for ${method} ${url.pathname}.`);
  }

  /** Server-Sent Events of every timeline entry, for the designer's test-call panel. */
  private stream(req: IncomingMessage, res: ServerResponse, monitor: Monitor, url: URL): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write(`event: hello\ndata: ${JSON.stringify(this.info(req, url))}\n\n`);
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

  /**
   * What an app needs to connect — without the access key unless asked for it explicitly
   * (`?secrets=1`) from this machine: the key signs every request to the emulated resource.
   */
  private info(req: IncomingMessage, url: URL): ControlInfo {
    const info = this.deps.info();
    const local = isLoopbackAddress(req.socket.remoteAddress);
    if (local && url.searchParams.get('secrets') === '1') return info;
    return {
      ...info,
      connectionString: info.connectionString.replace(/accesskey=[^;]*/i, 'accesskey=***'),
    };
  }

  close(): void {
    for (const res of this.streams) res.end();
  }
}

const isLoopbackAddress = (a: string | undefined) =>
  a === '::1' ||
  a === '127.0.0.1' ||
  a?.startsWith('::ffff:127.') === true ||
  a?.startsWith('127.') === true;

/**
 * The control API drives calls (and shows what they did): a web page on another site must not
 * be able to use it through a developer's browser. Browsers say where a request comes from;
 * tools (the CLI, the engine, tests) send no Origin.
 */
function refuseOtherSites(req: IncomingMessage): void {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  if (
    (typeof site === 'string' && site !== 'same-origin' && site !== 'none') ||
    (typeof origin === 'string' &&
      origin !== `http://${req.headers.host ?? ''}` &&
      origin !== `https://${req.headers.host ?? ''}`)
  ) {
    throw new AcsHttpError(403, 'Forbidden', 'The control API takes no requests from other sites.');
  }
}
