import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { passwordWeakness } from '../auth/password-policy.js';

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

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*$/;

/** An allow-list entry: a host name, an IPv4/IPv6 address, or a CIDR of either. */
function isAllowEntry(h: string): boolean {
  const [addr, bits, extra] = h.split('/');
  if (extra !== undefined || addr === undefined) return false;
  const family = isIP(addr);
  if (bits !== undefined) {
    const n = Number(bits);
    return family !== 0 && /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
  }
  return family !== 0 || HOST_NAME.test(h);
}

/** The 32 key bytes of SWITCHBOARD_SECRETS_KEY (hex or base64), or undefined. */
export function secretsKeyBytes(key: string): Buffer | undefined {
  const k = key.trim();
  if (/^[0-9a-f]{64}$/i.test(k)) return Buffer.from(k, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(k)) {
    const b = Buffer.from(k, 'base64');
    return b.length === 32 ? b : undefined;
  }
  return undefined;
}

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
    z
      .string()
      .superRefine((password, ctx) => {
        const weakness = passwordWeakness(password);
        if (weakness) ctx.addIssue({ code: 'custom', message: weakness });
      })
      .optional(),
  ),
  SWITCHBOARD_MAX_DOCUMENT_NODES: z.preprocess(emptyAsUndefined, positiveInt().default(5000)),
  SWITCHBOARD_MAX_DOCUMENT_BYTES: z.preprocess(
    emptyAsUndefined,
    positiveInt().default(5 * 1024 * 1024),
  ),
  SWITCHBOARD_SESSION_HOURS: z.preprocess(emptyAsUndefined, positiveInt().default(12)),
  SWITCHBOARD_SECURE_COOKIES: z.preprocess(emptyAsUndefined, bool.default(false)),
  SWITCHBOARD_TRUST_PROXY_HOPS: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a number of proxies' })
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(10, 'must be at most 10')
      .default(0),
  ),
  // ---- login protection (engine/src/auth/login-throttle.ts) ----
  SWITCHBOARD_LOGIN_FREE_ATTEMPTS: z.preprocess(emptyAsUndefined, positiveInt().default(5)),
  SWITCHBOARD_LOGIN_MAX_DELAY_SECONDS: z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: 'must be a number' }).positive('must be greater than 0').default(60),
  ),
  SWITCHBOARD_LOGIN_LOCKOUT_ATTEMPTS: z.preprocess(emptyAsUndefined, positiveInt().default(20)),
  SWITCHBOARD_LOGIN_LOCKOUT_MINUTES: z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: 'must be a number' }).positive('must be greater than 0').default(15),
  ),
  SWITCHBOARD_LOGIN_WINDOW_MINUTES: z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: 'must be a number' }).positive('must be greater than 0').default(15),
  ),
  SWITCHBOARD_DESIGNER_DIR: z.preprocess(emptyAsUndefined, z.string().optional()),
  // ---- call runtime (engine/src/acs, engine/src/runs) ----
  /** `npm start` without ACS_CONNECTION_STRING: port of the in-process ACS emulator. */
  EMULATOR_PORT: z.preprocess(emptyAsUndefined, port().default(4510)),
  SWITCHBOARD_SEED_EXAMPLES: z.preprocess(emptyAsUndefined, bool.default(true)),
  ACS_CONNECTION_STRING: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^endpoint=[^;]+;accesskey=.+$/i, 'must be "endpoint=https://...;accesskey=..."')
      .optional(),
  ),
  ACS_CALLBACK_BASE_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
  ACS_COGNITIVE_SERVICES_ENDPOINT: z.preprocess(
    emptyAsUndefined,
    z.url({ protocol: /^https$/, error: 'must be an https URL' }).optional(),
  ),
  ACS_JWKS_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
  ACS_OPENID_CONFIG_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
  ACS_CALLBACK_ISSUER: z.preprocess(
    emptyAsUndefined,
    z.string().min(1).default('https://acscallautomation.communication.azure.com'),
  ),
  ACS_CALLBACK_AUDIENCE: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  ACS_EVENTGRID_SECRET: z.preprocess(
    emptyAsUndefined,
    z.string().min(16, 'must be at least 16 characters').optional(),
  ),
  ACS_EVENTGRID_AUTH: z.preprocess(
    emptyAsUndefined,
    z.enum(['secret', 'entra', 'none'], { error: 'must be secret, entra or none' }).optional(),
  ),
  ACS_EVENTGRID_ENTRA_TENANT_ID: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  ACS_EVENTGRID_ENTRA_AUDIENCE: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  ACS_EVENTGRID_ENTRA_JWKS_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
  ACS_REQUEST_TIMEOUT_MS: z.preprocess(emptyAsUndefined, positiveInt().default(10_000)),
  ACS_MAX_RETRIES: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(0).max(10).default(3),
  ),
  SWITCHBOARD_TIME_SCALE: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().positive().max(1000).default(1),
  ),
  SWITCHBOARD_WAIT_MARGIN_MS: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(0).default(10_000),
  ),
  SWITCHBOARD_MAX_WAIT_SECONDS: z.preprocess(emptyAsUndefined, positiveInt().default(3600)),
  SWITCHBOARD_RECONCILE_INTERVAL_MS: z.preprocess(emptyAsUndefined, positiveInt().default(1000)),
  SWITCHBOARD_OUTBOX_INTERVAL_MS: z.preprocess(emptyAsUndefined, positiveInt().default(1000)),
  SWITCHBOARD_OUTBOX_GRACE_MS: z.preprocess(emptyAsUndefined, positiveInt().default(10_000)),
  SWITCHBOARD_STEP_LIMIT: z.preprocess(emptyAsUndefined, positiveInt().default(1000)),
  SWITCHBOARD_DB_POOL_SIZE: z.preprocess(emptyAsUndefined, positiveInt().default(16)),
  // ---- retention (engine/src/retention) ----
  SWITCHBOARD_RUN_RETENTION_DAYS: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a number of days' })
      .int('must be a whole number of days')
      .min(1, 'must be at least 1 (day)')
      .default(30),
  ),
  // ---- test calls (engine/src/test-calls) ----
  SWITCHBOARD_TEST_RUN_RETENTION_HOURS: z.preprocess(emptyAsUndefined, positiveInt().default(72)),
  SWITCHBOARD_MAX_TEST_CALLS_PER_USER: z.preprocess(emptyAsUndefined, positiveInt().default(5)),
  // ---- HTTP request nodes and environment secrets (engine/src/http, engine/src/environment) ----
  SWITCHBOARD_HTTP_ALLOW_HOSTS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter((h) => h !== ''),
      )
      .superRefine((entries, ctx) => {
        for (const h of entries) {
          if (!isAllowEntry(h)) {
            ctx.addIssue({
              code: 'custom',
              message: `“${h}” is not a host name, an address or a CIDR (e.g. crm.internal, 10.0.0.5, 10.1.0.0/16)`,
            });
          }
        }
      })
      .default([]),
  ),
  SWITCHBOARD_HTTP_MAX_RESPONSE_BYTES: z.preprocess(
    emptyAsUndefined,
    positiveInt()
      .max(10 * 1024 * 1024, 'must be at most 10485760 (10 MB)')
      .default(256 * 1024),
  ),
  SWITCHBOARD_SECRETS_KEY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine((k) => secretsKeyBytes(k) !== undefined, {
        message:
          'must be 32 random bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)',
      })
      .optional(),
  ),
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
  /**
   * Reverse proxies in front of the engine whose X-Forwarded-For is believed (0: none — the
   * socket's address is the client's). Sign-in throttling counts per client address.
   */
  trustProxyHops: number;
  login: LoginProtectionConfig;
  designerDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  migrationsDir: string;
  acs: AcsConfig;
  runtime: RuntimeConfig;
  testCalls: TestCallsConfig;
  retention: RetentionConfig;
  http: HttpConfig;
  /** SWITCHBOARD_SECRETS_KEY as given (see secretsKeyBytes); unset: secrets cannot be stored. */
  secretsKey: string | undefined;
  emulatorPort: number;
  seedExamples: boolean;
  examplesDir: string;
}

/** How the engine reaches ACS and checks what ACS and Event Grid send it. */
export interface AcsConfig {
  /** Unset: no ACS (actions fail with NotConfigured; `npm start` starts the emulator instead). */
  connectionString: string | undefined;
  /** Public base URL ACS calls back on; default: the engine's own URL once it listens. */
  callbackBaseUrl: string;
  /**
   * The Cognitive Services resource linked to the ACS resource, sent as
   * callIntelligenceOptions on every call the engine answers or places: ACS refuses text
   * prompts (TTS) and speech recognition on a call without one.
   */
  cognitiveServicesEndpoint: string | undefined;
  jwksUrl: string | undefined;
  openIdConfigUrl: string | undefined;
  issuer: string;
  audience: string | undefined;
  eventGridSecret: string | undefined;
  /**
   * How Event Grid deliveries are authenticated: the shared secret (`?secret=`), Microsoft
   * Entra ID bearer tokens, or — for local experiments only — not at all.
   */
  eventGridAuth: 'secret' | 'entra' | 'none';
  eventGridEntra: { tenantId: string; audience: string; jwksUrl: string } | undefined;
  requestTimeoutMs: number;
  maxRetries: number;
}

/** Failed sign-ins, counted per username and per client address (auth/login-throttle.ts). */
export interface LoginProtectionConfig {
  /** Failures before each further attempt must wait (1 s, 2 s, 4 s … up to maxDelaySeconds). */
  freeAttempts: number;
  maxDelaySeconds: number;
  /** Failures after which the key is refused outright for lockoutMinutes. */
  lockoutAttempts: number;
  lockoutMinutes: number;
  /** A key whose last attempt is older than this starts again from zero. */
  windowMinutes: number;
}

export interface RuntimeConfig {
  /** Multiplies the interpreter's wait durations before they become deadlines (tests: < 1). */
  timeScale: number;
  waitMarginMs: number;
  maxWaitSeconds: number;
  reconcileIntervalMs: number;
  outboxIntervalMs: number;
  outboxGraceMs: number;
  stepLimit: number;
  poolSize: number;
}

export interface RetentionConfig {
  /**
   * Runs started more than this many whole UTC days before today are deleted with everything
   * keyed to them (live runs never); test runs go sooner (testCalls.retentionHours).
   */
  runDays: number;
}

export interface HttpConfig {
  /** Host names, addresses and CIDRs HTTP request nodes may reach although private or local. */
  allowHosts: readonly string[];
  maxResponseBytes: number;
}

export interface TestCallsConfig {
  /** Ended test runs older than this are deleted. */
  retentionHours: number;
  /** Test calls one user may have running at once (more: 429). */
  maxRunningPerUser: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Settings that only make sense together. With a real ACS resource the engine must be able to
 * check its callbacks' tokens: without the keys or the audience every callback would be refused
 * one at a time as "401 token refused", which looks like an attack rather than a setting.
 */
function crossFieldProblems(e: z.output<typeof EnvSchema>): string[] {
  const problems: string[] = [];
  // Otherwise the lockout would come before (or instead of) the back-off it is meant to follow.
  if (e.SWITCHBOARD_LOGIN_LOCKOUT_ATTEMPTS <= e.SWITCHBOARD_LOGIN_FREE_ATTEMPTS) {
    problems.push(
      `SWITCHBOARD_LOGIN_LOCKOUT_ATTEMPTS (${e.SWITCHBOARD_LOGIN_LOCKOUT_ATTEMPTS}) must be greater than SWITCHBOARD_LOGIN_FREE_ATTEMPTS (${e.SWITCHBOARD_LOGIN_FREE_ATTEMPTS})`,
    );
  }
  if (e.ACS_CONNECTION_STRING) {
    const needs: string[] = [];
    if (!e.ACS_JWKS_URL && !e.ACS_OPENID_CONFIG_URL)
      needs.push('ACS_JWKS_URL or ACS_OPENID_CONFIG_URL');
    if (!e.ACS_CALLBACK_AUDIENCE) needs.push('ACS_CALLBACK_AUDIENCE');
    if (needs.length > 0) {
      problems.push(
        `ACS_CONNECTION_STRING is set, so the callback token settings must be too: set ${needs.join(' and ')}`,
      );
    }
    // Whoever can post an IncomingCall can start a run and make the engine call ACS.
    const auth = e.ACS_EVENTGRID_AUTH;
    const entra = e.ACS_EVENTGRID_ENTRA_TENANT_ID && e.ACS_EVENTGRID_ENTRA_AUDIENCE;
    if (auth === undefined && !e.ACS_EVENTGRID_SECRET && !entra) {
      problems.push(
        'ACS_CONNECTION_STRING is set, so Event Grid deliveries must be authenticated: set ACS_EVENTGRID_SECRET, or ACS_EVENTGRID_ENTRA_TENANT_ID and ACS_EVENTGRID_ENTRA_AUDIENCE (or ACS_EVENTGRID_AUTH=none for a local experiment)',
      );
    }
  }
  if (e.ACS_EVENTGRID_AUTH === 'secret' && !e.ACS_EVENTGRID_SECRET) {
    problems.push('ACS_EVENTGRID_AUTH is secret: set ACS_EVENTGRID_SECRET');
  }
  if (
    e.ACS_EVENTGRID_AUTH === 'entra' &&
    !(e.ACS_EVENTGRID_ENTRA_TENANT_ID && e.ACS_EVENTGRID_ENTRA_AUDIENCE)
  ) {
    problems.push(
      'ACS_EVENTGRID_AUTH is entra: set ACS_EVENTGRID_ENTRA_TENANT_ID and ACS_EVENTGRID_ENTRA_AUDIENCE',
    );
  }
  return problems;
}

/** Freezes the configuration all the way down: it is read, never changed, after start. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
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
  const missing = crossFieldProblems(e);
  if (missing.length > 0) throw new ConfigError(missing);
  const root = repoRoot();
  const base = env.INIT_CWD ?? process.cwd();
  return deepFreeze({
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
    trustProxyHops: e.SWITCHBOARD_TRUST_PROXY_HOPS,
    login: {
      freeAttempts: e.SWITCHBOARD_LOGIN_FREE_ATTEMPTS,
      maxDelaySeconds: e.SWITCHBOARD_LOGIN_MAX_DELAY_SECONDS,
      lockoutAttempts: e.SWITCHBOARD_LOGIN_LOCKOUT_ATTEMPTS,
      lockoutMinutes: e.SWITCHBOARD_LOGIN_LOCKOUT_MINUTES,
      windowMinutes: e.SWITCHBOARD_LOGIN_WINDOW_MINUTES,
    },
    designerDir: e.SWITCHBOARD_DESIGNER_DIR
      ? resolve(base, e.SWITCHBOARD_DESIGNER_DIR)
      : join(root, 'designer', 'dist'),
    logLevel: e.LOG_LEVEL,
    migrationsDir: join(root, 'prisma', 'migrations'),
    emulatorPort: e.EMULATOR_PORT,
    seedExamples: e.SWITCHBOARD_SEED_EXAMPLES,
    examplesDir: join(root, 'flow', 'examples'),
    acs: {
      connectionString: e.ACS_CONNECTION_STRING,
      callbackBaseUrl: e.ACS_CALLBACK_BASE_URL ?? '',
      cognitiveServicesEndpoint: e.ACS_COGNITIVE_SERVICES_ENDPOINT,
      jwksUrl: e.ACS_JWKS_URL,
      openIdConfigUrl: e.ACS_OPENID_CONFIG_URL,
      issuer: e.ACS_CALLBACK_ISSUER,
      audience: e.ACS_CALLBACK_AUDIENCE,
      eventGridSecret: e.ACS_EVENTGRID_SECRET,
      eventGridAuth:
        e.ACS_EVENTGRID_AUTH ??
        (e.ACS_EVENTGRID_SECRET ? 'secret' : e.ACS_EVENTGRID_ENTRA_TENANT_ID ? 'entra' : 'none'),
      eventGridEntra:
        e.ACS_EVENTGRID_ENTRA_TENANT_ID && e.ACS_EVENTGRID_ENTRA_AUDIENCE
          ? {
              tenantId: e.ACS_EVENTGRID_ENTRA_TENANT_ID,
              audience: e.ACS_EVENTGRID_ENTRA_AUDIENCE,
              jwksUrl:
                e.ACS_EVENTGRID_ENTRA_JWKS_URL ??
                `https://login.microsoftonline.com/${e.ACS_EVENTGRID_ENTRA_TENANT_ID}/discovery/v2.0/keys`,
            }
          : undefined,
      requestTimeoutMs: e.ACS_REQUEST_TIMEOUT_MS,
      maxRetries: e.ACS_MAX_RETRIES,
    },
    runtime: {
      timeScale: e.SWITCHBOARD_TIME_SCALE,
      waitMarginMs: e.SWITCHBOARD_WAIT_MARGIN_MS,
      maxWaitSeconds: e.SWITCHBOARD_MAX_WAIT_SECONDS,
      reconcileIntervalMs: e.SWITCHBOARD_RECONCILE_INTERVAL_MS,
      outboxIntervalMs: e.SWITCHBOARD_OUTBOX_INTERVAL_MS,
      outboxGraceMs: e.SWITCHBOARD_OUTBOX_GRACE_MS,
      stepLimit: e.SWITCHBOARD_STEP_LIMIT,
      poolSize: e.SWITCHBOARD_DB_POOL_SIZE,
    },
    retention: { runDays: e.SWITCHBOARD_RUN_RETENTION_DAYS },
    testCalls: {
      retentionHours: e.SWITCHBOARD_TEST_RUN_RETENTION_HOURS,
      maxRunningPerUser: e.SWITCHBOARD_MAX_TEST_CALLS_PER_USER,
    },
    http: {
      allowHosts: e.SWITCHBOARD_HTTP_ALLOW_HOSTS,
      maxResponseBytes: e.SWITCHBOARD_HTTP_MAX_RESPONSE_BYTES,
    },
    secretsKey: e.SWITCHBOARD_SECRETS_KEY,
  });
}

/** Injection token for the EngineConfig. */
export const ENGINE_CONFIG = Symbol('ENGINE_CONFIG');
