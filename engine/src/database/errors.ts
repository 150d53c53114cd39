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
