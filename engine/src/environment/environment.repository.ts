import { Injectable } from '@nestjs/common';
import { type Db, PrismaService } from '../database/prisma.service.js';
import type { SealedSecret } from './secrets-cipher.js';

@Injectable()
export class EnvironmentRepository {
  constructor(private readonly prisma: PrismaService) {}

  listValues() {
    return this.prisma.environmentValue.findMany({ orderBy: { name: 'asc' } });
  }

  upsertValue(db: Db, name: string, value: string, by: string) {
    const row = { value, updatedBy: by, updatedAt: new Date() };
    return db.environmentValue.upsert({
      where: { name },
      create: { name, ...row },
      update: row,
    });
  }

  async deleteValue(db: Db, name: string): Promise<boolean> {
    const { count } = await db.environmentValue.deleteMany({ where: { name } });
    return count > 0;
  }

  /** Without the encrypted parts: what lists show. */
  listSecretInfo() {
    return this.prisma.environmentSecret.findMany({
      select: { name: true, keyId: true, updatedAt: true, updatedBy: true },
      orderBy: { name: 'asc' },
    });
  }

  findSecrets(names: readonly string[]) {
    return this.prisma.environmentSecret.findMany({ where: { name: { in: [...names] } } });
  }

  upsertSecret(db: Db, name: string, sealed: SealedSecret, by: string) {
    const row = { ...sealed, updatedBy: by, updatedAt: new Date() };
    return db.environmentSecret.upsert({
      where: { name },
      create: { name, ...row },
      update: row,
      select: { name: true, keyId: true, updatedAt: true, updatedBy: true },
    });
  }

  async deleteSecret(db: Db, name: string): Promise<boolean> {
    const { count } = await db.environmentSecret.deleteMany({ where: { name } });
    return count > 0;
  }
}
