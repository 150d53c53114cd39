import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { problemOf } from '../common/problem.js';
import { SESSION_COOKIE } from '../auth/auth.service.js';

/** Deepest nesting a JSON body may have (a flow document needs about 8). */
export const MAX_JSON_DEPTH = 64;

/** Event Grid's own batch limit; ACS callbacks are far smaller. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;
/** A username and a password. */
export const LOGIN_BODY_LIMIT = 4 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class UnsafeJsonError extends Error {}

/**
 * Refuses JSON text that would parse but cannot be stored or would cost out of proportion:
 * invalid UTF-8, a NUL character (Postgres text and jsonb cannot hold it), a lone surrogate
 * (not Unicode text), nesting deeper than MAX_JSON_DEPTH. One pass over the bytes, before
 * JSON.parse, so a hostile body costs no more than reading it.
 */
export function checkJsonText(raw: Buffer): void {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new UnsafeJsonError('the body is not valid UTF-8');
  }
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) {
        const next = text[i + 1];
        if (next === 'u') {
          const code = parseInt(text.slice(i + 2, i + 6), 16);
          if (code === 0) throw new UnsafeJsonError('the body contains a NUL character (\\u0000)');
          if (code >= 0xd800 && code <= 0xdbff) {
            const low =
              text.slice(i + 6, i + 8) === '\\u' ? parseInt(text.slice(i + 8, i + 12), 16) : NaN;
            if (!(low >= 0xdc00 && low <= 0xdfff)) {
              throw new UnsafeJsonError('the body contains a lone surrogate (not Unicode text)');
            }
            i += 6;
          } else if (code >= 0xdc00 && code <= 0xdfff) {
            throw new UnsafeJsonError('the body contains a lone surrogate (not Unicode text)');
          }
          i += 5;
        } else {
          i += 1;
        }
      } else if (c === 0x22 /* " */) {
        inString = false;
      } else if (c === 0) {
        throw new UnsafeJsonError('the body contains a NUL character');
      }
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new UnsafeJsonError(`the body is nested deeper than ${MAX_JSON_DEPTH} levels`);
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

const verify = (_req: IncomingMessage, _res: ServerResponse, buf: Buffer) => {
  try {
    checkJsonText(buf);
  } catch (e) {
    // body-parser answers with the error's status; the app's error handler writes the problem.
    Object.assign(e as object, { status: 400, statusCode: 400, expose: true });
    throw e;
  }
};

const JSON_TYPES = ['application/json', 'application/*+json'];

/** A JSON body parser bounded by `limit` bytes while reading, with the checks above. */
export const jsonBody = (limit: number) => express.json({ limit, type: JSON_TYPES, verify });

/** Routes that take requests from no signed-in principal: their own checks come first. */
const OPEN_ROUTES = ['/api/acs/events', '/api/auth/login'];

/**
 * An API request that carries no credential at all (no session cookie, no bearer token) is
 * answered 401 before its body is read: an anonymous upload costs nothing but the headers. The
 * real check of the credential is the auth guard's, after parsing.
 */
export function refuseAnonymousBodies() {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const path = (req.url ?? '').split('?')[0]!.toLowerCase().replace(/\/+$/, '');
    const hasBody =
      req.method !== 'GET' &&
      req.method !== 'HEAD' &&
      (Number(req.headers['content-length'] ?? 0) > 0 ||
        req.headers['transfer-encoding'] !== undefined);
    if (
      !hasBody ||
      !path.startsWith('/api/') ||
      OPEN_ROUTES.includes(path) ||
      req.headers.authorization ||
      (req.headers.cookie ?? '').includes(`${SESSION_COOKIE}=`)
    ) {
      next();
      return;
    }
    const body = JSON.stringify(
      problemOf('unauthorized', 'Sign in, or send an API token as "Authorization: Bearer <token>"'),
    );
    res.statusCode = 401;
    res.setHeader('WWW-Authenticate', 'Bearer realm="switchboard"');
    res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    // The body is not read: the connection cannot carry another request after this one.
    res.setHeader('Connection', 'close');
    res.end(body);
    req.resume();
  };
}

/** A NUL, or a UTF-16 surrogate not in a pair: nothing Postgres can store as text. */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The same rule for the URL: a path or query value that decodes to something no column can hold
 * (a NUL, a lone surrogate) or does not decode at all is a 400 naming it, not a 500 from the
 * database later.
 */
export function refuseUnsafeUrls() {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const url = req.url ?? '';
    if (!url.includes('%')) {
      next();
      return;
    }
    let problem: string | undefined;
    const [path = '', query = ''] = url.split('?', 2);
    try {
      if (UNSTORABLE.test(decodeURIComponent(path))) problem = 'the path';
      for (const [name, value] of new URLSearchParams(query)) {
        if (UNSTORABLE.test(name) || UNSTORABLE.test(value))
          problem ??= `the query parameter ${name}`;
      }
    } catch {
      problem = 'the path (bad percent-encoding)';
    }
    if (!problem) {
      next();
      return;
    }
    const body = JSON.stringify(
      problemOf('validation-error', `${problem} holds a NUL character or is not Unicode text`),
    );
    res.statusCode = 400;
    res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
  };
}
