import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { type Prisma, PrismaClient } from '../generated/prisma/client.js';

export { Prisma } from '../generated/prisma/client.js';

/** Injection token for the database connection URL (after the embedded server, if any, started). */
export const DATABASE_URL = Symbol('DATABASE_URL');

/** The Prisma client over the `pg` driver adapter. Repositories inject this. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(DATABASE_URL) databaseUrl: string) {
    super({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 10 }) });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}

/** A Prisma client or an interactive-transaction client: repositories accept either. */
export type Db = PrismaService | Prisma.TransactionClient;
