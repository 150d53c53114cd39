import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { ProblemException } from '../common/problem.js';
import type { ProblemFilter } from '../common/problem.filter.js';
import { checkJsonText } from '../security/body-limits.js';
import type { Logger } from '../logging/logger.js';
import { TEST_CALLBACK_PATH } from './test-acs.js';
import type { WebhooksService } from './webhooks.service.js';

export const CALLBACK_PATH = '/api/acs/callbacks';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * `POST /api/acs/callbacks` answered straight from the HTTP server, ahead of Express, Nest's
 * router, guards, pipes and the generic JSON body parser: this route carries every callback of
 * every call, and Express's per-request work (its request/response set-up, router, request-id
 * middleware) is a sizeable share of a callback's CPU. Its rules (JWT, parse, apply, status
 * codes) live in WebhooksService either way. Bodies are read raw (bounded by `limit`) and parsed
 * once; errors become the same problem+json answers through the app's ProblemFilter, and are
 * logged as the request logger logs other routes.
 */
export function callbackRoute(
  webhooks: WebhooksService,
  filter: ProblemFilter,
  logger: Logger,
  limit: number,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    let path = q === -1 ? url : url.slice(0, q);
    if (path !== CALLBACK_PATH && path !== TEST_CALLBACK_PATH) {
      // As Express would route it (case-insensitive, a trailing slash allowed): this is the
      // only implementation of the route, so every spelling of it must reach it.
      const normal = path.toLowerCase().replace(/\/+$/, '');
      if (normal === CALLBACK_PATH) path = CALLBACK_PATH;
      else if (normal === TEST_CALLBACK_PATH) path = TEST_CALLBACK_PATH;
      else return false;
    }
    const source = path === CALLBACK_PATH ? 'acs' : 'testAcs';
    const started = process.hrtime.bigint();
    const fail = (e: unknown) => {
      const status = filter.answer(e, req, res);
      const level = status >= 500 ? 'error' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          method: 'POST',
          path,
          status,
          ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
        },
        'request',
      );
    };
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      fail(new PayloadTooLargeException());
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true;
      else chunks.push(c);
    });
    req.on('error', fail);
    req.on('end', () => {
      if (tooLarge) {
        fail(new PayloadTooLargeException());
        return;
      }
      let body: unknown;
      // As the JSON body parser: only JSON content types are parsed; an empty body is no body.
      if (size > 0 && JSON_TYPE.test(req.headers['content-type'] ?? '')) {
        const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        try {
          // An event that can never be stored (NUL, lone surrogates…) is a 400 — ACS stops
          // retrying it — never a 503 from the database refusing it later.
          checkJsonText(raw);
        } catch (e) {
          fail(new ProblemException(400, 'malformed-event', (e as Error).message));
          return;
        }
        try {
          body = JSON.parse(raw.toString());
        } catch (e) {
          fail(new BadRequestException((e as Error).message, { cause: e }));
          return;
        }
      }
      webhooks.callback(req.headers.authorization, body, source).then(() => {
        res.statusCode = 200;
        res.end();
        if (logger.isLevelEnabled('debug')) {
          logger.debug(
            {
              method: 'POST',
              path,
              status: 200,
              ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
            },
            'request',
          );
        }
      }, fail);
    });
    return true;
  };
}

/** Puts `route` in front of the server's request handlers (Express's): it answers what it takes. */
export function mountAhead(
  server: Server,
  route: (req: IncomingMessage, res: ServerResponse) => boolean,
): void {
  const handlers = server.listeners('request') as Handler[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (route(req, res)) return;
    for (const h of handlers) h.call(server, req, res);
  });
}
