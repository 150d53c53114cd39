import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The repository root (engine/src/config → ../../.. from source, engine/dist/src/config → ../../../.. when built). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'prisma', 'migrations'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

const port = () =>
  z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535');

const positiveInt = () =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .positive('must be greater than 0');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

/**
 * Every environment variable the engine reads, checked once at start. Other modules add their
 * settings here (one place, so a bad setting always stops the engine with its name).
 */
export const EnvSchema = z.object({
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  PORT: z.preprocess(emptyAsUndefined, port().default(3000)),
  HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('127.0.0.1')),
  SWITCHBOARD_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().optional()),
  SWITCHBOARD_POSTGRES_PORT: z.preprocess(emptyAsUndefined, port().optional()),
  SWITCHBOARD_ADMIN_PASSWORD: z.preprocess(
    emptyAsUndefined,
    z.string().min(8, 'must be at least 8 characters').optional(),
  ),
  SWITCHBOARD_MAX_DOCUMENT_NODES: z.preprocess(emptyAsUndefined, positiveInt().default(5000)),
  SWITCHBOARD_MAX_DOCUMENT_BYTES: z.preprocess(
    emptyAsUndefined,
    positiveInt().default(5 * 1024 * 1024),
  ),
  SWITCHBOARD_SESSION_HOURS: z.preprocess(emptyAsUndefined, positiveInt().default(12)),
  SWITCHBOARD_SECURE_COOKIES: z.preprocess(emptyAsUndefined, bool.default(false)),
  SWITCHBOARD_DESIGNER_DIR: z.preprocess(emptyAsUndefined, z.string().optional()),
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
});

export interface EngineConfig {
  /** Unset: the engine starts an embedded Postgres in `${dataDir}/postgres`. */
  databaseUrl: string | undefined;
  port: number;
  host: string;
  dataDir: string;
  postgresPort: number | undefined;
  adminPassword: string | undefined;
  maxDocumentNodes: number;
  maxDocumentBytes: number;
  sessionHours: number;
  secureCookies: boolean;
  designerDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  migrationsDir: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and checks the configuration; throws a ConfigError naming each bad setting. */
export function loadConfig(env: Record<string, string | undefined> = process.env): EngineConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const value = env[name];
        return `${name}: ${issue.message}${value === undefined ? '' : ` (got ${JSON.stringify(value)})`}`;
      }),
    );
  }
  const e = parsed.data;
  const root = repoRoot();
  const base = env.INIT_CWD ?? process.cwd();
  return {
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    host: e.HOST,
    dataDir: e.SWITCHBOARD_DATA_DIR ? resolve(base, e.SWITCHBOARD_DATA_DIR) : join(root, '.data'),
    postgresPort: e.SWITCHBOARD_POSTGRES_PORT,
    adminPassword: e.SWITCHBOARD_ADMIN_PASSWORD,
    maxDocumentNodes: e.SWITCHBOARD_MAX_DOCUMENT_NODES,
    maxDocumentBytes: e.SWITCHBOARD_MAX_DOCUMENT_BYTES,
    sessionHours: e.SWITCHBOARD_SESSION_HOURS,
    secureCookies: e.SWITCHBOARD_SECURE_COOKIES,
    designerDir: e.SWITCHBOARD_DESIGNER_DIR
      ? resolve(base, e.SWITCHBOARD_DESIGNER_DIR)
      : join(root, 'designer', 'dist'),
    logLevel: e.LOG_LEVEL,
    migrationsDir: join(root, 'prisma', 'migrations'),
  };
}

/** Injection token for the EngineConfig. */
export const ENGINE_CONFIG = Symbol('ENGINE_CONFIG');
