import { Inject, Injectable } from '@nestjs/common';
import type { EnvironmentNames } from '@switchboard/flow';
import type { z } from 'zod';
import { AuditRepository } from '../audit/audit.repository.js';
import type { Principal } from '../auth/principal.js';
import { notFound, ProblemException } from '../common/problem.js';
import { ENGINE_CONFIG, type EngineConfig, secretsKeyBytes } from '../config/config.js';
import { PrismaService } from '../database/prisma.service.js';
import { EnvironmentRepository } from './environment.repository.js';
import type {
  EnvironmentSecretListSchema,
  EnvironmentSecretSchema,
  EnvironmentValueSchema,
} from './environment.schemas.js';
import { SecretsCipher } from './secrets-cipher.js';

/**
 * How long an engine uses the environment's values before reading them again: several engines
 * share the database, so a change reaches the others within about this (this one at once).
 */
const VALUES_TTL_MS = 2000;

type ValueDto = z.output<typeof EnvironmentValueSchema>;
type SecretDto = z.output<typeof EnvironmentSecretSchema>;

/**
 * The environment's values and secrets: the database the engine runs on is the environment.
 * Flows hold references (`{{ env.NAME }}`, `{{ secret.NAME }}`); values are looked up at run
 * time — values for the interpreter (cached briefly), secrets only by the HTTP executor at send
 * time. Secrets are sealed with SWITCHBOARD_SECRETS_KEY and never leave this service.
 */
@Injectable()
export class EnvironmentService {
  private readonly cipher: SecretsCipher | undefined;
  private cached: { at: number; values: Readonly<Record<string, string>> } | undefined;
  private loading: Promise<Readonly<Record<string, string>>> | undefined;
  private generation = 0;

  constructor(
    private readonly prisma: PrismaService,
    private readonly repo: EnvironmentRepository,
    private readonly audit: AuditRepository,
    @Inject(ENGINE_CONFIG) config: EngineConfig,
  ) {
    const key = config.secretsKey ? secretsKeyBytes(config.secretsKey) : undefined;
    this.cipher = key ? new SecretsCipher(key) : undefined;
  }

  async listValues(): Promise<{ items: ValueDto[] }> {
    const rows = await this.repo.listValues();
    return {
      items: rows.map((r) => ({
        name: r.name,
        value: r.value,
        updatedAt: r.updatedAt.toISOString(),
        updatedBy: r.updatedBy,
      })),
    };
  }

  async putValue(name: string, value: string, by: Principal): Promise<ValueDto> {
    const row = await this.prisma.$transaction(async (tx) => {
      const r = await this.repo.upsertValue(tx, name, value, by.actor);
      await this.audit.record(tx, {
        actor: by.actor,
        action: 'environment.value.set',
        target: `env:${name}`,
        details: { name },
      });
      return r;
    });
    this.changed();
    return {
      name: row.name,
      value: row.value,
      updatedAt: row.updatedAt.toISOString(),
      updatedBy: row.updatedBy,
    };
  }

  async deleteValue(name: string, by: Principal): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      if (!(await this.repo.deleteValue(tx, name))) throw notFound(`Environment value ${name}`);
      await this.audit.record(tx, {
        actor: by.actor,
        action: 'environment.value.delete',
        target: `env:${name}`,
        details: { name },
      });
    });
    this.changed();
  }

  async listSecrets(): Promise<z.output<typeof EnvironmentSecretListSchema>> {
    const rows = await this.repo.listSecretInfo();
    return { items: rows.map((r) => this.secretDto(r)), keyConfigured: this.cipher !== undefined };
  }

  private secretDto(r: {
    name: string;
    keyId: string;
    updatedAt: Date;
    updatedBy: string;
  }): SecretDto {
    return {
      name: r.name,
      keyId: r.keyId,
      updatedAt: r.updatedAt.toISOString(),
      updatedBy: r.updatedBy,
      readable: r.keyId === this.cipher?.keyId,
    };
  }

  /** Write-only: the answer says when and by whom, never the value (nor is it audited). */
  async putSecret(name: string, value: string, by: Principal): Promise<SecretDto> {
    const cipher = this.cipher;
    if (!cipher) {
      throw new ProblemException(
        409,
        'secrets-key-missing',
        'Secrets cannot be stored: set SWITCHBOARD_SECRETS_KEY (32 random bytes, e.g. `openssl rand -base64 32`) and restart the engine',
      );
    }
    const row = await this.prisma.$transaction(async (tx) => {
      const r = await this.repo.upsertSecret(tx, name, cipher.seal(name, value), by.actor);
      await this.audit.record(tx, {
        actor: by.actor,
        action: 'environment.secret.set',
        target: `secret:${name}`,
        details: { name, keyId: cipher.keyId },
      });
      return r;
    });
    return this.secretDto(row);
  }

  async deleteSecret(name: string, by: Principal): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      if (!(await this.repo.deleteSecret(tx, name))) throw notFound(`Secret ${name}`);
      await this.audit.record(tx, {
        actor: by.actor,
        action: 'environment.secret.delete',
        target: `secret:${name}`,
        details: { name },
      });
    });
  }

  /** The names flows may reference here (for the validator and "Insert variable"). */
  async names(): Promise<EnvironmentNames> {
    const [values, secrets] = await Promise.all([
      this.repo.listValues(),
      this.repo.listSecretInfo(),
    ]);
    return { values: values.map((v) => v.name), secrets: secrets.map((s) => s.name) };
  }

  /**
   * The values the interpreter reads as `env.<NAME>`. On the hot path: once loaded, the cached
   * values are answered at once and, when older than VALUES_TTL_MS, read again in the background
   * (a change on another engine is seen within about that); only the first read waits.
   */
  async runtimeValues(): Promise<Readonly<Record<string, string>>> {
    const c = this.cached;
    if (c && Date.now() - c.at < VALUES_TTL_MS) return c.values;
    const loading = this.reload();
    if (c) {
      loading.catch(() => undefined); // the stale values serve until the database answers
      return c.values;
    }
    return loading;
  }

  private reload(): Promise<Readonly<Record<string, string>>> {
    if (this.loading) return this.loading;
    // A read that began before a change here must not put the old values back afterwards.
    const generation = this.generation;
    const loading = this.repo
      .listValues()
      .then((rows) => {
        const values = Object.freeze(Object.fromEntries(rows.map((r) => [r.name, r.value])));
        if (generation === this.generation) this.cached = { at: Date.now(), values };
        return values;
      })
      .finally(() => {
        if (this.loading === loading) this.loading = undefined;
      });
    this.loading = loading;
    return loading;
  }

  /** After a change of values here: the next step reads them afresh. */
  private changed(): void {
    this.generation += 1;
    this.cached = undefined;
    this.loading = undefined;
  }

  /**
   * The values of the named secrets, for the HTTP executor at send time. Throws an Error whose
   * message says in plain words what is missing (never a value).
   */
  async secretValues(names: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (names.length === 0) return out;
    const unique = [...new Set(names)];
    const rows = await this.repo.findSecrets(unique);
    const missing = unique.filter((n) => !rows.some((r) => r.name === n));
    if (missing.length > 0) {
      throw new Error(`the secret ${missing.join(', ')} is not defined in this environment`);
    }
    const cipher = this.cipher;
    if (!cipher) {
      throw new Error(
        `the secret ${unique.join(', ')} cannot be read: SWITCHBOARD_SECRETS_KEY is not set`,
      );
    }
    for (const r of rows) out.set(r.name, cipher.open(r.name, r));
    return out;
  }
}
