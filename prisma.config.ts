import { defineConfig } from 'prisma/config';

/**
 * Prisma CLI configuration. The schema is a folder (`prisma/schema/*.prisma`): each engine
 * module owns one file. The engine applies `prisma/migrations` itself on start (see README,
 * "Engine"); `DATABASE_URL` is only needed here for CLI commands that connect to a database.
 */
export default defineConfig({
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
