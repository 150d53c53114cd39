import { Injectable } from '@nestjs/common';
import { type Db, PrismaService } from '../database/prisma.service.js';
import type { Role } from '../auth/roles.js';
import type { User } from '../generated/prisma/client.js';

@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaService) {}

  count(db: Db = this.prisma) {
    return db.user.count();
  }

  /**
   * Serialises changes to the set of users (creating the first admin, deleting the last one)
   * across engines sharing the database, until the transaction ends.
   */
  async lockUsers(tx: Db): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('switchboard:users'))`;
  }

  /**
   * Regardless of case, as the unique index on lower("username") makes names unique; raw SQL so
   * the condition is exactly the index's expression (Prisma's `mode: 'insensitive'` is not).
   */
  async findByUsername(username: string, db: Db = this.prisma): Promise<User | null> {
    const rows = await db.$queryRaw<User[]>`
      SELECT * FROM "User" WHERE lower("username") = lower(${username}) LIMIT 1`;
    return rows[0] ?? null;
  }

  findById(id: string, db: Db = this.prisma) {
    return db.user.findUnique({ where: { id } });
  }

  create(db: Db, data: { username: string; role: Role; passwordHash: string; createdBy: string }) {
    return db.user.create({ data });
  }

  delete(db: Db, id: string) {
    return db.user.delete({ where: { id } });
  }

  countAdmins(db: Db) {
    return db.user.count({ where: { role: 'admin' } });
  }

  list(limit: number, afterUsername?: string) {
    return this.prisma.user.findMany({
      where: afterUsername ? { username: { gt: afterUsername } } : {},
      orderBy: { username: 'asc' },
      take: limit + 1,
    });
  }
}
