import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallModel } from './call-model.js';
import { AcsHttpError, badRequest } from './errors.js';
import type { FaultInjector } from './faults.js';
import { parseJson, send } from './http-util.js';
import type { Logger } from './logger.js';
import type { Monitor, Timeline } from './monitor.js';
import { refuseUnsigned } from './signed-api.js';

interface Result {
  status: number;
  body?: unknown;
  call?: Timeline;
}

const PAGE_SIZE = 100;
const REPEATABILITY_TTL_MS = 5 * 60 * 1000;

/**
 * The Call Automation REST surface under /calling/callConnections, with the status codes the SDK
 * checks for, HMAC authentication and Repeatability-Request-ID de-duplication.
 */
export class RestApi {
  private readonly repeats = new Map<string, { result: Result; expires: number }>();
  private sweep = 0;

  constructor(
    private readonly deps: {
      model: CallModel;
      accessKey: Buffer;
      faults: FaultInjector;
      monitor: Monitor;
      logger: Logger;
    },
  ) {}

  handle(req: IncomingMessage, res: ServerResponse, rawBody: Buffer, url: URL): void {
    const method = req.method ?? 'GET';
    if (refuseUnsigned(req, res, rawBody, this.deps.accessKey, this.deps.logger)) return;

    const repeatId = req.headers['repeatability-request-id'];
    const key = typeof repeatId === 'string' ? `${method} ${url.pathname} ${repeatId}` : undefined;
    const now = Date.now();
    if (key) {
      const seen = this.repeats.get(key);
      if (seen && seen.expires > now) {
        this.recordRequest(
          seen.result.call,
          method,
          url,
          rawBody,
          seen.result.status,
          repeatId,
          true,
        );
        send(res, seen.result.status, seen.result.body, { 'repeatability-result': 'accepted' });
        return;
      }
    }

    let result: Result;
    const injected = method !== 'GET' ? this.deps.faults.actionError() : undefined;
    if (injected) {
      result = {
        status: injected,
        body: { error: { code: 'InjectedFault', message: `Fault injected: ${injected}.` } },
        call: this.callFor(url, rawBody),
      };
    } else {
      try {
        result = this.route(method, url, rawBody);
      } catch (e) {
        if (!(e instanceof AcsHttpError)) {
          this.deps.logger.error({ err: String(e), stack: (e as Error).stack }, 'request failed');
        }
        const err =
          e instanceof AcsHttpError
            ? e
            : new AcsHttpError(500, 'InternalServerError', 'Emulator error.');
        result = { status: err.status, body: err.body(), call: this.callFor(url, rawBody) };
      }
    }

    // Only successes are remembered, so a retry after a (possibly injected) failure proceeds.
    if (key && result.status < 300) {
      this.repeats.set(key, { result, expires: now + REPEATABILITY_TTL_MS });
      if (++this.sweep % 1000 === 0) {
        for (const [k, v] of this.repeats) if (v.expires <= now) this.repeats.delete(k);
      }
    }
    this.recordRequest(result.call, method, url, rawBody, result.status, repeatId);
    send(res, result.status, result.body, key ? { 'repeatability-result': 'accepted' } : {});
  }

  private recordRequest(
    call: Timeline | undefined,
    method: string,
    url: URL,
    rawBody: Buffer,
    status: number,
    repeatId: string | string[] | undefined,
    replayed = false,
  ): void {
    const { monitor } = this.deps;
    if (!call && !monitor.hasListeners) return;
    let body: unknown;
    try {
      body = rawBody.length ? JSON.parse(rawBody.toString('utf8')) : undefined;
    } catch {
      body = rawBody.toString('utf8');
    }
    monitor.record(call, {
      kind: 'request',
      method,
      path: url.pathname,
      body,
      status,
      ...(typeof repeatId === 'string' ? { repeatabilityId: repeatId } : {}),
      ...(replayed ? { replayed: true } : {}),
    });
  }

  /** The call a request is about: by connection id in the path, or by incomingCallContext. */
  private callFor(url: URL, rawBody: Buffer): Timeline | undefined {
    const m = /^\/calling\/callConnections\/([^/:]+)/.exec(url.pathname);
    if (!m) {
      if (!/^\/calling\/callConnections:(answer|redirect|reject)$/.test(url.pathname)) return;
      try {
        return this.deps.model.callForContext(parseJson(rawBody).incomingCallContext);
      } catch {
        return undefined;
      }
    }
    try {
      return this.deps.model.findConnection(decodeURIComponent(m[1]!))?.call;
    } catch {
      return undefined;
    }
  }

  private route(method: string, url: URL, rawBody: Buffer): Result {
    const { model } = this.deps;
    const path = url.pathname;
    const base = '/calling/callConnections';
    if (!path.startsWith(base)) throw new AcsHttpError(404, 'NotFound', 'Unknown path.');
    const rest = path.slice(base.length);

    // Collection-level actions: POST /calling/callConnections[:action]
    if (rest === '' || rest.startsWith(':')) {
      if (method !== 'POST') throw new AcsHttpError(405, 'MethodNotAllowed', 'Method not allowed.');
      const body = parseJson(rawBody);
      switch (rest) {
        case '': {
          const conn = model.createCall(body);
          return { status: 201, body: conn.properties(), call: conn.call };
        }
        case ':answer': {
          const conn = model.answerCall(body);
          return { status: 200, body: conn.properties(), call: conn.call };
        }
        case ':connect': {
          const conn = model.connectCall(body);
          return { status: 200, body: conn.properties(), call: conn.call };
        }
        case ':redirect':
          return { status: 204, call: model.redirectCall(body) };
        case ':reject':
          return { status: 204, call: model.rejectCall(body) };
        default:
          throw new AcsHttpError(404, 'NotFound', `Unknown action '${rest.slice(1)}'.`);
      }
    }

    const m = /^\/([^/:]+)(?::([A-Za-z]+))?(?:\/participants(?::([A-Za-z]+)|\/([^/]+))?)?$/.exec(
      rest,
    );
    if (!m) throw new AcsHttpError(404, 'NotFound', 'Unknown path.');
    const id = decodeURIComponent(m[1]!);
    const action = m[2];
    const isParticipants = rest.includes('/participants');
    const participantAction = m[3];
    const participantId = m[4] ? decodeURIComponent(m[4]) : undefined;
    const conn = model.connection(id);
    const call = conn.call;
    const body = method === 'POST' ? parseJson(rawBody) : {};

    if (!isParticipants) {
      if (!action) {
        if (method === 'GET') return { status: 200, body: conn.properties(), call };
        if (method === 'DELETE') {
          model.hangUp(id);
          return { status: 204, call };
        }
        throw new AcsHttpError(405, 'MethodNotAllowed', 'Method not allowed.');
      }
      if (method !== 'POST') throw new AcsHttpError(405, 'MethodNotAllowed', 'Method not allowed.');
      switch (action) {
        case 'terminate':
          model.terminate(id);
          return { status: 204, call };
        case 'transferToParticipant':
          return { status: 202, body: model.transfer(id, body), call };
        case 'play':
          model.established(id).media.play(body);
          return { status: 202, call };
        case 'recognize':
          model.established(id).media.recognize(body);
          return { status: 202, call };
        case 'cancelAllMediaOperations':
          model.established(id).media.cancelAll();
          return { status: 202, call };
        case 'startContinuousDtmfRecognition':
          model.established(id).media.startContinuousDtmf(body);
          return { status: 200, call };
        case 'stopContinuousDtmfRecognition':
          model.established(id).media.stopContinuousDtmf(body);
          return { status: 200, call };
        case 'hold':
          model.hold(id, body, true);
          return { status: 200, call };
        case 'unhold':
          model.hold(id, body, false);
          return { status: 200, call };
        case 'sendDtmfTones':
          return { status: 202, body: model.sendDtmf(id, body), call };
        case 'startTranscription':
        case 'stopTranscription':
        case 'updateTranscription':
        case 'startMediaStreaming':
        case 'stopMediaStreaming':
          // Real ACS operations the emulator lacks: a clear refusal, not a 404 or a fake success.
          throw badRequest(`'${action}' is not implemented by the emulator.`, 'NotImplemented');
        default:
          throw new AcsHttpError(404, 'NotFound', `Unknown action '${action}'.`);
      }
    }

    if (participantId !== undefined) {
      if (method !== 'GET') throw new AcsHttpError(405, 'MethodNotAllowed', 'Method not allowed.');
      return { status: 200, body: model.participant(id, participantId), call };
    }
    if (!participantAction) {
      if (method !== 'GET') throw new AcsHttpError(405, 'MethodNotAllowed', 'Method not allowed.');
      const all = model.participants(id);
      const page = Math.max(1, Number(url.searchParams.get('page') ?? '1') || 1);
      const value = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
      const more = all.length > page * PAGE_SIZE;
      const apiVersion = url.searchParams.get('api-version');
      const nextLink = more
        ? `${base}/${encodeURIComponent(id)}/participants?page=${page + 1}` +
          (apiVersion ? `&api-version=${encodeURIComponent(apiVersion)}` : '')
        : undefined;
      return { status: 200, body: nextLink ? { value, nextLink } : { value }, call };
    }
    if (method !== 'POST') throw new AcsHttpError(405, 'MethodNotAllowed', 'Method not allowed.');
    switch (participantAction) {
      case 'add':
        return { status: 202, body: model.addParticipant(id, body), call };
      case 'remove':
        return { status: 202, body: model.removeParticipant(id, body), call };
      case 'cancelAddParticipant':
        return { status: 202, body: model.cancelAddParticipant(id, body), call };
      case 'mute':
        return { status: 200, body: model.mute(id, body), call };
      case 'moveHere':
        return { status: 202, body: model.moveParticipants(id, body), call };
      default:
        throw new AcsHttpError(
          404,
          'NotFound',
          `Unknown participants action '${participantAction}'.`,
        );
    }
  }
}
