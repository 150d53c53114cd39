import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import {
  type AcsAction,
  fillSecrets,
  type HttpAnswer,
  type HttpRequestAction,
  markedSecrets,
} from '@switchboard/flow';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { EnvironmentService } from '../environment/environment.service.js';
import { LOGGER, type Logger } from '../logging/logger.js';
import type {
  ActionExecutor,
  ActionResultData,
  ActionTarget,
  SendOutcome,
} from '../runtime/action-executor.js';
import { AddressPolicy } from './address-policy.js';

const MAX_REDIRECTS = 5;
const MASK = '***';

type Answer = NonNullable<ActionResultData['event']>;

class Refused extends Error {}
class TimedOut extends Error {}

const failed = (message: string): Answer => ({
  type: 'HttpFailed',
  resultInformation: { message },
});

/**
 * Sends HTTP request nodes' requests and turns the answer into the event the node waits for
 * (HttpResponse, HttpFailed, HttpTimeout). Secrets are put into the headers here, at send time,
 * and masked in whatever comes back. Every hop's address is checked after DNS resolution, and
 * the connection goes to the very address checked (no second lookup an attacker could answer
 * differently). `Idempotency-Key` is the action id: a resend after a crash carries the same.
 */
@Injectable()
export class HttpRequestExecutor implements ActionExecutor {
  readonly kinds = ['httpRequest'] as const;
  private readonly policy: AddressPolicy;

  constructor(
    private readonly environment: EnvironmentService,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.policy = new AddressPolicy(config.http.allowHosts);
  }

  async execute(action: AcsAction, target: ActionTarget): Promise<SendOutcome> {
    if (action.kind !== 'httpRequest') {
      return { ok: false, code: 'WrongKind', message: action.kind, retryable: false };
    }
    const started = Date.now();
    let secrets = new Map<string, string>();
    let answer: Answer;
    try {
      secrets = await this.environment.secretValues(
        action.headers.flatMap((h) => markedSecrets(h.value)),
      );
      answer = await this.send(action, secrets);
    } catch (e) {
      answer = failed(e instanceof Error ? e.message : String(e));
    }
    answer = masked(answer, [...secrets.values()]);
    this.logger.info(
      {
        runId: target.runId,
        actionId: action.id,
        method: action.method,
        host: hostOf(action.url),
        result: answer.type,
        status: answer.http?.status,
        message: answer.resultInformation?.message,
        ms: Date.now() - started,
        test: target.test || undefined,
      },
      'http request',
    );
    return { ok: true, result: { event: answer } };
  }

  private async send(action: HttpRequestAction, secrets: Map<string, string>): Promise<Answer> {
    const deadline = Date.now() + action.timeoutMs;
    const secretHeaders = new Set(
      action.headers.filter((h) => markedSecrets(h.value).length > 0).map((h) => h.name),
    );
    const headers: Record<string, string> = {
      'user-agent': 'Switchboard',
      accept: 'application/json, text/plain;q=0.9, */*;q=0.1',
    };
    for (const h of action.headers) headers[h.name] = fillSecrets(h.value, (n) => secrets.get(n));
    headers['Idempotency-Key'] = action.id;
    let method: string = action.method;
    let body = action.body;
    let url: URL;
    try {
      url = new URL(action.url);
    } catch {
      return failed(`the URL is not a valid web address`);
    }
    const origin = url.origin;
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        return failed(`${url.protocol} addresses are not requested (only http and https)`);
      }
      if (url.origin !== origin) {
        // Never hand a secret to another origin a redirect points at.
        for (const name of secretHeaders) delete headers[name];
      }
      let res: IncomingMessage;
      try {
        res = await this.hop(url, method, headers, body, deadline);
      } catch (e) {
        if (e instanceof TimedOut) {
          return {
            type: 'HttpTimeout',
            resultInformation: {
              message: `no answer from ${url.host} within ${action.timeoutMs / 1000} s`,
            },
          };
        }
        if (e instanceof Refused) return failed(e.message);
        return failed(networkMessage(url.host, e));
      }
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location) {
        res.resume();
        if (hop >= MAX_REDIRECTS)
          return failed(`${url.host} redirected more than ${MAX_REDIRECTS} times`);
        try {
          url = new URL(location, url);
        } catch {
          return failed(`${url.host} redirected to an address that is not valid`);
        }
        if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      return this.read(url, res, status, deadline);
    }
  }

  private async hop(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    deadline: number,
  ): Promise<IncomingMessage> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const address = await this.resolve(host, deadline);
    const lookup: LookupFunction = (_name, options, cb) => {
      const family = isIP(address);
      if ((options as { all?: boolean }).all) cb(null, [{ address, family }]);
      else cb(null, address, family);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const left = deadline - Date.now();
    if (left <= 0) throw new TimedOut();
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, {
        method,
        headers: {
          ...headers,
          ...(body !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
            : {}),
        },
        lookup,
        agent: false,
      });
      const timer = setTimeout(() => {
        req.destroy(new TimedOut());
      }, left);
      req.on('response', (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end(body);
    });
  }

  /** The address to connect to, checked against the policy (every resolved address must pass). */
  private async resolve(host: string, deadline: number): Promise<string> {
    if (isIP(host)) {
      const why = this.policy.refusal(host);
      if (why) throw new Refused(why);
      return host;
    }
    let timer: NodeJS.Timeout | undefined;
    const found = await Promise.race([
      dnsLookup(host, { all: true, verbatim: true }),
      new Promise<never>((_r, reject) => {
        timer = setTimeout(() => reject(new TimedOut()), Math.max(0, deadline - Date.now()));
      }),
    ])
      .catch((e: unknown) => {
        if (e instanceof TimedOut) throw e;
        throw new Refused(`the host ${host} was not found`);
      })
      .finally(() => clearTimeout(timer));
    const first = found[0];
    if (!first) throw new Refused(`the host ${host} was not found`);
    if (!this.policy.allowsName(host)) {
      for (const a of found) {
        const why = this.policy.refusal(a.address);
        if (why) throw new Refused(`${host} resolves to ${why}`);
      }
    }
    return first.address;
  }

  private async read(
    url: URL,
    res: IncomingMessage,
    status: number,
    deadline: number,
  ): Promise<Answer> {
    const cap = this.config.http.maxResponseBytes;
    const capText = cap % 1024 === 0 ? `${cap / 1024} KB` : `${cap} bytes`;
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (declared > cap) {
      res.destroy();
      return failed(`the answer of ${url.host} is larger than ${capText} (${declared} bytes)`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const outcome = await new Promise<'ok' | 'tooLarge' | 'timeout' | Error>((resolve) => {
      const timer = setTimeout(
        () => {
          res.destroy();
          resolve('timeout');
        },
        Math.max(0, deadline - Date.now()),
      );
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > cap) {
          clearTimeout(timer);
          res.destroy();
          resolve('tooLarge');
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve('ok');
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        resolve(e);
      });
    });
    if (outcome === 'tooLarge')
      return failed(`the answer of ${url.host} is larger than ${capText}`);
    if (outcome === 'timeout') {
      return {
        type: 'HttpTimeout',
        resultInformation: { message: `the answer of ${url.host} did not arrive in time` },
      };
    }
    if (outcome instanceof Error) return failed(networkMessage(url.host, outcome));
    const text = Buffer.concat(chunks).toString('utf8');
    const type = String(res.headers['content-type'] ?? '').toLowerCase();
    const http: HttpAnswer = { status };
    if (/^application\/([a-z0-9.+-]*\+)?json\b/.test(type)) {
      if (text.trim() !== '') {
        try {
          http.body = JSON.parse(text) as unknown;
        } catch {
          return failed(
            `${url.host} answered ${status} with content that says JSON but is not valid JSON`,
          );
        }
      }
    } else if (type.startsWith('text/')) {
      http.body = text;
    }
    return { type: 'HttpResponse', http };
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

function networkMessage(host: string, e: unknown): string {
  const code = (e as { code?: string }).code;
  switch (code) {
    case 'ECONNREFUSED':
      return `${host} refused the connection`;
    case 'ECONNRESET':
      return `${host} closed the connection before answering`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${host} cannot be reached from here`;
    default:
      if (code && /CERT|SSL|TLS/.test(code)) {
        return `the certificate of ${host} is not valid (${code})`;
      }
      return `could not reach ${host}${code ? ` (${code})` : ''}`;
  }
}

/** The answer with every secret value replaced (a server may echo a header back). */
function masked(answer: Answer, values: string[]): Answer {
  const secrets = values.filter((v) => v.length >= 4);
  if (secrets.length === 0) return answer;
  const text = JSON.stringify(answer);
  if (!secrets.some((s) => text.includes(JSON.stringify(s).slice(1, -1)))) return answer;
  const mask = (v: unknown): unknown => {
    if (typeof v === 'string') return secrets.reduce((t, s) => t.split(s).join(MASK), v);
    if (Array.isArray(v)) return v.map(mask);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [mask(k) as string, mask(x)]));
    }
    return v;
  };
  return mask(answer) as Answer;
}
