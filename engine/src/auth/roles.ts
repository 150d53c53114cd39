import { z } from 'zod';

/** viewer < editor < publisher < admin, each including the ones before it. */
export const HUMAN_ROLES = ['viewer', 'editor', 'publisher', 'admin'] as const;
/** Systems that start and watch runs, nothing else. Only `@Roles(..., 'runner')` lets it in. */
export const RUNNER = 'runner' as const;
export const ROLES = [...HUMAN_ROLES, RUNNER] as const;
export type Role = (typeof ROLES)[number];

export const RoleSchema = z.enum(ROLES);

/**
 * Whether `actual` may call an endpoint declared with `required` (any of them suffices):
 * a human role satisfies every human role at or below it; `runner` satisfies only `runner`.
 */
export function roleSatisfies(actual: Role, required: readonly Role[]): boolean {
  return required.some((r) => {
    if (r === RUNNER || actual === RUNNER) return r === actual;
    return HUMAN_ROLES.indexOf(actual) >= HUMAN_ROLES.indexOf(r);
  });
}
