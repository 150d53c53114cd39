import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemException } from '../common/problem.js';
import { AuthService, unauthorized } from './auth.service.js';
import type { AuthenticatedRequest } from './principal.js';
import { PUBLIC_KEY, ROLES_KEY, WEBHOOK_KEY } from './roles.decorator.js';
import { type Role, roleSatisfies } from './roles.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** 415 for a state-changing request that is not JSON; 403 when it comes from another site. */
export function refuseCrossSite(req: AuthenticatedRequest): void {
  if (SAFE_METHODS.has(req.method)) return;
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  const own = `${req.protocol}://${req.headers.host ?? ''}`;
  if (
    (typeof site === 'string' && site !== 'same-origin' && site !== 'none') ||
    (typeof origin === 'string' && origin !== own)
  ) {
    throw new ProblemException(
      403,
      'cross-site',
      'This request comes from another site; sign-in cookies are only accepted from the designer itself',
    );
  }
  if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) {
    throw new ProblemException(
      415,
      'unsupported-media-type',
      'Send this request as JSON: Content-Type: application/json (also with an empty body)',
    );
  }
}

/**
 * Global guard: authenticates every request (sets `req.principal`), then enforces the route's
 * `@Roles(...)`. Anonymous → 401; a role not allowed → 403; a route with neither `@Roles` nor
 * `@Public` → 403 (closed by default).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(WEBHOOK_KEY, targets) === true) return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    let principal;
    try {
      principal = await this.auth.authenticate(req);
    } catch (e) {
      if (isPublic) return true;
      throw e;
    }
    if (principal) req.principal = principal;
    // A browser's cookie rides along on requests other sites make: a state-changing request
    // authenticated by it must be JSON (no form or text/plain request a page can send without
    // asking) from this site. Bearer tokens are not sent by browsers on their own.
    if (principal?.sessionId !== undefined) refuseCrossSite(req);
    if (isPublic) return true;
    if (!principal)
      throw unauthorized('Sign in, or send an API token as "Authorization: Bearer <token>"');
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles || !roleSatisfies(principal.role, roles)) {
      throw new ProblemException(
        403,
        'forbidden',
        roles
          ? `This needs the role ${roles.join(' or ')}; you are ${principal.role}`
          : 'This route declares no roles',
      );
    }
    return true;
  }
}
