import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AuditRepository } from '../audit/audit.repository.js';
import type { Principal } from '../auth/principal.js';
import { hashPassword, randomPassword } from '../auth/passwords.js';
import { conflict, notFound } from '../common/problem.js';
import { decodeCursor, type Page, type PageQuery, toPage } from '../common/pagination.js';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { PrismaService } from '../database/prisma.service.js';
import { isUniqueViolation } from '../database/errors.js';
import type { CreatedUserSchema, CreateUserSchema, UserSchema } from './users.schemas.js';
import { UsersRepository } from './users.repository.js';

type UserDto = z.output<typeof UserSchema>;

const toDto = (u: {
  id: string;
  username: string;
  role: string;
  createdAt: Date;
  createdBy: string;
}): UserDto => ({
  id: u.id,
  username: u.username,
  role: u.role as UserDto['role'],
  createdAt: u.createdAt.toISOString(),
  createdBy: u.createdBy,
});

@Injectable()
export class UsersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly users: UsersRepository,
    private readonly audit: AuditRepository,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
  ) {}

  async list(query: PageQuery): Promise<Page<UserDto>> {
    const after = query.cursor ? decodeCursor(query.cursor, z.string()) : undefined;
    const rows = await this.users.list(query.limit, after);
    return toPage(rows, query.limit, (u) => u.username, toDto);
  }

  async create(
    input: z.output<typeof CreateUserSchema>,
    by: Principal,
  ): Promise<z.output<typeof CreatedUserSchema>> {
    const password = input.password ?? randomPassword();
    const passwordHash = await hashPassword(password);
    try {
      const user = await this.prisma.$transaction(async (tx) => {
        const created = await this.users.create(tx, {
          username: input.username,
          role: input.role,
          passwordHash,
          createdBy: by.actor,
        });
        await this.audit.record(tx, {
          actor: by.actor,
          action: 'user.create',
          target: `user:${created.username}`,
          details: { role: created.role },
        });
        return created;
      });
      return { ...toDto(user), ...(input.password ? {} : { password }) };
    } catch (e) {
      if (isUniqueViolation(e)) {
        const existing = await this.users.findByUsername(input.username);
        throw conflict(
          existing && existing.username !== input.username
            ? `A user named "${existing.username}" already exists (usernames do not differ by case alone)`
            : `A user named "${input.username}" already exists`,
        );
      }
      throw e;
    }
  }

  async delete(id: string, by: Principal): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await this.users.lockUsers(tx);
      const user = await this.users.findById(id, tx);
      if (!user) throw notFound(`User ${id}`);
      if (by.kind === 'user' && by.id === id) throw conflict('You cannot delete your own user');
      if (user.role === 'admin' && (await this.users.countAdmins(tx)) <= 1) {
        throw conflict('The last admin cannot be deleted');
      }
      await this.users.delete(tx, id);
      await this.audit.record(tx, {
        actor: by.actor,
        action: 'user.delete',
        target: `user:${user.username}`,
      });
    });
  }

  /**
   * On first start (no users at all) creates `admin` with SWITCHBOARD_ADMIN_PASSWORD or a random
   * password, returned so the caller prints it once. Safe when several engines start at once.
   */
  async ensureInitialAdmin(): Promise<{
    username: string;
    password: string;
    generated: boolean;
  } | null> {
    if ((await this.users.count()) > 0) return null;
    const password = this.config.adminPassword ?? randomPassword();
    const passwordHash = await hashPassword(password);
    try {
      const created = await this.prisma.$transaction(async (tx) => {
        await this.users.lockUsers(tx);
        if ((await tx.user.count()) > 0) return false;
        await this.users.create(tx, {
          username: 'admin',
          role: 'admin',
          passwordHash,
          createdBy: 'system',
        });
        await this.audit.record(tx, {
          actor: 'system',
          action: 'user.create',
          target: 'user:admin',
          details: { role: 'admin' },
        });
        return true;
      });
      return created
        ? { username: 'admin', password, generated: !this.config.adminPassword }
        : null;
    } catch (e) {
      if (isUniqueViolation(e)) return null;
      throw e;
    }
  }
}
