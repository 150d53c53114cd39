/**
 * What every data-plane API of the emulated resource shares: requests signed with its access
 * key (HMAC-SHA256, as @azure/communication-common signs them) or refused with 401, and errors
 * in the ACS shape. Call Automation, Identity and Rooms all answer through here, so a wrong key
 * is refused the same way by each.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AcsHttpError } from './errors.js';
import { send } from './http-util.js';
import type { Logger } from './logger.js';
import { verifyHmac } from './signing.js';

/** Sends the 401 and answers true when the request is not signed with the access key. */
export function refuseUnsigned(
  req: IncomingMessage,
  res: ServerResponse,
  rawBody: Buffer,
  accessKey: Buffer,
  logger: Logger,
): boolean {
  const method = req.method ?? 'GET';
  const auth = verifyHmac(method, req.url ?? '/', req.headers, rawBody, accessKey);
  if (auth.ok) return false;
  logger.info({ method, path: req.url, reason: auth.reason }, 'request denied');
  send(
    res,
    401,
    { error: { code: 'Denied', message: 'Denied by the resource provider.' } },
    { 'x-emulator-denied-reason': auth.reason ?? 'denied' },
  );
  return true;
}

/** An ACS error with the field it is about (the Identity API names it in `target`). */
export class FieldError extends AcsHttpError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly target: string,
  ) {
    super(status, code, message);
  }

  override body() {
    return { error: { ...super.body().error, target: this.target } };
  }
}

export interface Answer {
  status: number;
  body?: unknown;
}

/**
 * Serves one signed request: refuses a bad signature, runs `route`, and answers its result or
 * its error (a client's mistake as its 4xx, anything else as a logged 500). Error responses
 * carry `x-ms-error-code`, as the Rooms API documents.
 */
export function serveSigned(
  req: IncomingMessage,
  res: ServerResponse,
  rawBody: Buffer,
  deps: { accessKey: Buffer; logger: Logger },
  route: () => Answer | Promise<Answer>,
): void {
  if (refuseUnsigned(req, res, rawBody, deps.accessKey, deps.logger)) return;
  const fail = (e: unknown) => {
    if (!(e instanceof AcsHttpError)) {
      deps.logger.error({ err: String(e), stack: (e as Error).stack }, 'request failed');
    }
    const err =
      e instanceof AcsHttpError
        ? e
        : new AcsHttpError(500, 'InternalServerError', 'Emulator error.');
    send(res, err.status, err.body(), { 'x-ms-error-code': err.code });
  };
  try {
    Promise.resolve(route()).then((a) => send(res, a.status, a.body), fail);
  } catch (e) {
    fail(e);
  }
}
