/**
 * The Identity REST API (api-version 2023-10-01, what @azure/communication-identity 1.3.x
 * sends) under /identities: create a user (with or without a token), issue a token, revoke a
 * user's tokens, delete a user. Same endpoint and HMAC authentication as Call Automation, so
 * CommunicationIdentityClient works unmodified with the emulator's connection string.
 *
 * Answers as the service does: 201/200/204; 400 `ValidationError` naming the field in `target`
 * (no scopes, an unknown scope, a token life outside 60–1440 minutes); 401 for a user of another
 * resource (the SDK's own tests expect it); 404 for a user of this resource that does not exist
 * (never created, or deleted). Teams token exchange is not emulated.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { AcsHttpError } from './errors.js';
import { parseJson } from './http-util.js';
import { type TokenScope, tokenMinutes, tokenScopes } from './identities.js';
import type { Logger } from './logger.js';
import type { EmulatedResource } from './resource.js';
import { type Answer, FieldError, serveSigned } from './signed-api.js';

const scopesOf = (field: string) =>
  z
    .array(z.unknown(), { error: `Invalid scopes - ${field} must be an array of scopes.` })
    .min(1, { error: 'Invalid scopes - Scopes field is required.' })
    .transform((list, ctx): TokenScope[] => {
      const bad = list.find((s) => !tokenScopes.includes(s as TokenScope));
      if (bad === undefined) return list as TokenScope[];
      ctx.addIssue({
        code: 'custom',
        message: `Invalid scopes - '${String(bad)}' is not a scope (${tokenScopes.join(', ')}).`,
      });
      return z.NEVER;
    });

const minutesMessage = `Invalid expiresInMinutes - the token's life must be between ${tokenMinutes.min} and ${tokenMinutes.max} minutes.`;
const expiresInMinutes = z
  .number({ error: minutesMessage })
  .int({ error: minutesMessage })
  .gte(tokenMinutes.min, { error: minutesMessage })
  .lte(tokenMinutes.max, { error: minutesMessage })
  .nullish()
  .transform((v) => v ?? tokenMinutes.default);

const CreateIdentityBody = z.object({
  createTokenWithScopes: scopesOf('createTokenWithScopes').nullish(),
  expiresInMinutes,
});

const IssueTokenBody = z.object({
  scopes: z.unknown().pipe(scopesOf('scopes')),
  expiresInMinutes,
});

/** The first problem as the service words it: `ValidationError`, the field as `target`. */
function read<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = String(issue.path[0] ?? 'body');
  const message =
    issue.code === 'invalid_type' && field === 'scopes'
      ? 'Invalid scopes - Scopes field is required.'
      : issue.message;
  throw new FieldError(400, 'ValidationError', message, field);
}

export class IdentityApi {
  constructor(
    private readonly deps: { resource: EmulatedResource; accessKey: Buffer; logger: Logger },
  ) {}

  handle(req: IncomingMessage, res: ServerResponse, rawBody: Buffer, url: URL): void {
    serveSigned(req, res, rawBody, this.deps, () => this.route(req.method ?? 'GET', url, rawBody));
  }

  private async route(method: string, url: URL, rawBody: Buffer): Promise<Answer> {
    const { identities } = this.deps.resource;
    const m = /^\/identities(?:\/([^/]+)(?:\/:([A-Za-z]+))?)?$/.exec(url.pathname);
    if (!m) throw new AcsHttpError(404, 'NotFound', `No route for ${url.pathname}.`);
    const id = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
    const action = m[2];
    const notAllowed = () => new AcsHttpError(405, 'MethodNotAllowed', 'Method not allowed.');

    if (id === undefined) {
      if (method !== 'POST') throw notAllowed();
      const b = read(CreateIdentityBody, parseJson(rawBody));
      const user = identities.create();
      const accessToken = b.createTokenWithScopes
        ? await identities.issue(user, b.createTokenWithScopes, b.expiresInMinutes)
        : undefined;
      return {
        status: 201,
        body: { identity: { id: user }, ...(accessToken ? { accessToken } : {}) },
      };
    }

    this.requireUser(id);
    switch (`${method} ${action ?? ''}`) {
      case 'DELETE ':
        identities.delete(id);
        return { status: 204 };
      case 'POST revokeAccessTokens':
        identities.revoke(id);
        return { status: 204 };
      case 'POST issueAccessToken': {
        const b = read(IssueTokenBody, parseJson(rawBody));
        return { status: 200, body: await identities.issue(id, b.scopes, b.expiresInMinutes) };
      }
    }
    if (action && !['revokeAccessTokens', 'issueAccessToken'].includes(action)) {
      throw new AcsHttpError(404, 'NotFound', `Unknown action '${action}'.`);
    }
    throw notAllowed();
  }

  private requireUser(id: string): void {
    const { identities } = this.deps.resource;
    if (!identities.isOfThisResource(id)) {
      throw new AcsHttpError(401, 'Unauthorized', `Identity '${id}' is not of this resource.`);
    }
    if (!identities.has(id)) {
      throw new AcsHttpError(404, 'IdentityNotFound', `Identity '${id}' does not exist.`);
    }
  }
}
