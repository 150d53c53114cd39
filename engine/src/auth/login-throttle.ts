import { isIPv6 } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { ENGINE_CONFIG, type EngineConfig, type LoginProtectionConfig } from '../config/config.js';
import { LoginThrottleRepository, type LoginThrottleRow } from './login-throttle.repository.js';

/** At most this often per engine, rows that hold nothing back any more are deleted. */
const PRUNE_EVERY_MS = 60_000;

export type ThrottleVerdict =
  | { allowed: true }
  | {
      allowed: false;
      retryAfterSeconds: number;
      /** Which of the two keys hold the attempt back. */
      blocked: ('username' | 'address')[];
      reason: 'back-off' | 'lockout';
      /** The first refusal since the last counted attempt: worth an audit entry (the rest are not). */
      firstRefusal: boolean;
    };

/** The key of a username: case does not make a different account (nor a fresh counter). */
export const usernameKey = (username: string) => `user:${username.toLowerCase()}`;

/**
 * The key of a client address. An IPv6 client usually holds a whole /64, so counting single
 * addresses there would give it 2^64 fresh counters; IPv4 mapped into IPv6 counts as IPv4.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return `ip:${mapped[1]}`;
  const bare = address.split('%')[0]!;
  if (!isIPv6(bare)) return `ip:${address}`;
  const [head = '', tail] = bare.split('::');
  const groups = (part: string) =>
    part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `ip:${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

type Decision =
  | { blockedUntil: Date; reason: 'back-off' | 'lockout'; row: LoginThrottleRow }
  | { next: LoginThrottleRow };

/**
 * The rules for one key. An attempt is counted as a failure when it starts (and taken back when
 * it succeeds), so that many attempts sent at once cannot all pass before the first one fails.
 */
export function decide(
  key: string,
  row: LoginThrottleRow | undefined,
  now: Date,
  rules: LoginProtectionConfig,
): Decision {
  const t = now.getTime();
  const stale =
    !row ||
    (row.lockedUntil !== null
      ? row.lockedUntil.getTime() <= t
      : t - row.lastAttemptAt.getTime() > rules.windowMinutes * 60_000);
  const current: LoginThrottleRow = stale
    ? { key, failures: 0, lastAttemptAt: now, lockedUntil: null, throttledAt: null }
    : row;
  if (current.lockedUntil && current.lockedUntil.getTime() > t) {
    return { blockedUntil: current.lockedUntil, reason: 'lockout', row: current };
  }
  if (current.failures >= rules.freeAttempts) {
    const delayMs =
      Math.min(2 ** (current.failures - rules.freeAttempts), rules.maxDelaySeconds) * 1000;
    const until = current.lastAttemptAt.getTime() + delayMs;
    if (until > t) return { blockedUntil: new Date(until), reason: 'back-off', row: current };
  }
  const failures = current.failures + 1;
  return {
    next: {
      ...current,
      failures,
      lastAttemptAt: now,
      lockedUntil:
        failures >= rules.lockoutAttempts ? new Date(t + rules.lockoutMinutes * 60_000) : null,
    },
  };
}

/**
 * Failed sign-ins per username and per client address, in the database so every engine sharing
 * it counts the same: after `freeAttempts` failures each attempt waits 1 s, 2 s, 4 s … (at most
 * `maxDelaySeconds`) after the previous one, after `lockoutAttempts` the key is refused for
 * `lockoutMinutes`. Unknown usernames are counted like known ones, so a refusal says nothing
 * about whether the user exists.
 */
@Injectable()
export class LoginThrottle {
  private lastPrune = 0;

  constructor(
    private readonly repo: LoginThrottleRepository,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
  ) {}

  private get rules(): LoginProtectionConfig {
    return this.config.login;
  }

  /** Before the password is checked: refuse, or count this attempt (as failed until it succeeds). */
  async begin(username: string, address: string, now = new Date()): Promise<ThrottleVerdict> {
    await this.prune(now);
    const keys = { username: usernameKey(username), address: addressKey(address) };
    return this.repo.withLockedKeys(Object.values(keys), async (rows, tx) => {
      const decisions = Object.entries(keys).map(([name, key]) => ({
        name: name as 'username' | 'address',
        decision: decide(key, rows.get(key), now, this.rules),
      }));
      const refusals = decisions.flatMap(({ name, decision }) =>
        'blockedUntil' in decision ? [{ name, ...decision }] : [],
      );
      if (refusals.length === 0) {
        for (const { decision } of decisions) {
          if ('next' in decision) await this.repo.save(tx, decision.next);
        }
        return { allowed: true };
      }
      let firstRefusal = false;
      for (const r of refusals) {
        if (r.row.throttledAt && r.row.throttledAt >= r.row.lastAttemptAt) continue;
        firstRefusal = true;
        await this.repo.save(tx, { ...r.row, throttledAt: now });
      }
      const until = Math.max(...refusals.map((r) => r.blockedUntil.getTime()));
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((until - now.getTime()) / 1000)),
        blocked: refusals.map((r) => r.name),
        reason: refusals.some((r) => r.reason === 'lockout') ? 'lockout' : 'back-off',
        firstRefusal,
      };
    });
  }

  /**
   * The password was right: the username starts again from zero; the address only gets this
   * attempt back, so one account of one's own does not clear what was tried on others.
   */
  async succeeded(username: string, address: string): Promise<void> {
    const user = usernameKey(username);
    const ip = addressKey(address);
    await this.repo.withLockedKeys([user, ip], async (rows, tx) => {
      await this.repo.delete(tx, user);
      const row = rows.get(ip);
      if (!row) return;
      const failures = Math.max(0, row.failures - 1);
      await this.repo.save(tx, {
        ...row,
        failures,
        lockedUntil: failures >= this.rules.lockoutAttempts ? row.lockedUntil : null,
      });
    });
  }

  private async prune(now: Date): Promise<void> {
    if (now.getTime() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now.getTime();
    const idleMs = Math.max(this.rules.windowMinutes, this.rules.lockoutMinutes) * 60_000;
    await this.repo.deleteIdle(new Date(now.getTime() - idleMs), now);
  }
}
