import { Prisma } from './prisma.service.js';

/** A unique constraint failed (Prisma P2002, or Postgres 23505 through the driver adapter). */
export function isUniqueViolation(e: unknown): boolean {
  if (e instanceof Prisma.PrismaClientKnownRequestError) return e.code === 'P2002';
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505';
}

/** The row to update or delete does not exist (Prisma P2025). */
export function isNotFound(e: unknown): boolean {
  return e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2025';
}

/** Prisma's codes for "cannot reach / lost / timed out waiting for the database". */
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/**
 * Errors that mean "the database is not reachable now" (→ 503, the sender retries): from `pg`
 * directly, or from Prisma (its own codes, or the driver adapter's error as the cause).
 */
export function isDatabaseUnavailable(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object' || depth > 4) return false;
  const cause = (e as { cause?: unknown }).cause;
  if (cause && isDatabaseUnavailable(cause, depth + 1)) return true;
  const err = e as { code?: unknown; message?: unknown };
  if (typeof err.code === 'string' && PRISMA_UNAVAILABLE.has(err.code)) return true;
  const code = typeof err.code === 'string' ? err.code : '';
  if (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'ETIMEDOUT',
      'ENOTFOUND',
      '57P01',
      '57P02',
      '57P03',
    ].includes(code)
  )
    return true;
  if (code.startsWith('08')) return true; // connection exceptions
  const message = typeof err.message === 'string' ? err.message : '';
  // A server reached through its Unix socket removes the socket while it is down.
  if (code === 'ENOENT' && message.includes('.s.PGSQL.')) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|the database system is (starting up|shutting down)|Can't reach database server|ECONNREFUSED|ECONNRESET/i.test(
    message,
  );
}
