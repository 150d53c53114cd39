import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Role } from './roles.js';

/** Who is calling: a signed-in user (cookie) or an API token (bearer). */
export interface Principal {
  kind: 'user' | 'token';
  id: string;
  name: string;
  role: Role;
  /** How this principal appears in updatedBy/publishedBy and the audit log. */
  actor: string;
  /** Session id (sha256 of the cookie) for users signed in with a cookie. */
  sessionId?: string;
}

export type AuthenticatedRequest = Request & { principal?: Principal };

/** The authenticated principal, set by the AuthGuard: `@CurrentPrincipal() me: Principal`. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal | undefined =>
    ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal,
);
