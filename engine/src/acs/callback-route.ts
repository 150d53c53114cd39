import { type ArgumentsHost, BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { ProblemFilter } from '../common/problem.filter.js';
import type { WebhooksService } from './webhooks.service.js';

export const CALLBACK_PATH = '/api/acs/callbacks';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * `POST /api/acs/callbacks` as a plain Express handler, ahead of Nest's router, guard, pipes and
 * the generic JSON body parser: this route carries every callback of every call, and its rules
 * (JWT, parse, apply, status codes) live in WebhooksService either way. Bodies are read raw
 * (bounded by `limit`) and parsed once; errors become the same problem+json answers through the
 * app's ProblemFilter.
 */
export function callbackRoute(webhooks: WebhooksService, filter: ProblemFilter, limit: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST' || req.path !== CALLBACK_PATH) {
      next();
      return;
    }
    const fail = (e: unknown) => {
      const host = {
        switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
      } as unknown as ArgumentsHost;
      filter.catch(e, host);
    };
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      fail(new PayloadTooLargeException());
      return;
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
        try {
          body = JSON.parse(
            chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString(),
          );
        } catch (e) {
          fail(new BadRequestException((e as Error).message, { cause: e }));
          return;
        }
      }
      webhooks.callback(req.headers.authorization, body).then(() => {
        res.statusCode = 200;
        res.end();
      }, fail);
    });
  };
}
