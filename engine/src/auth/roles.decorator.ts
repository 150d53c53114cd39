import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiExtension } from '@nestjs/swagger';
import type { Role } from './roles.js';

export const ROLES_KEY = 'switchboard:roles';
export const PUBLIC_KEY = 'switchboard:public';
export const WEBHOOK_KEY = 'switchboard:webhook';

/**
 * The roles allowed to call a route (any of them; human roles include the ones below them).
 * Every route needs either `@Roles(...)` or `@Public()`; the AuthGuard refuses undeclared
 * routes (403) so nothing is open by accident.
 */
export const Roles = (...roles: [Role, ...Role[]]) =>
  applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(),
    ApiCookieAuth(),
    ApiExtension('x-roles', roles),
  );

/** A route anyone may call without signing in (health, login, webhooks with their own checks). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/**
 * A webhook with its own authentication (ACS callbacks: JWT; Event Grid: shared secret): the
 * AuthGuard neither looks at its Authorization header nor asks the database about it.
 */
export const Webhook = () => SetMetadata(WEBHOOK_KEY, true);
