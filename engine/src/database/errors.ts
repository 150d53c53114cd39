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

/** Errors that mean "the database is not reachable now" (→ 503, the sender retries). */
export function isDatabaseUnavailable(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown };
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
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|the database system is (starting up|shutting down)/i.test(
    message,
  );
}
