import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AuditRepository } from '../audit/audit.repository.js';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { ProblemException } from '../common/problem.js';
import { PrismaService } from '../database/prisma.service.js';
import { TokensRepository } from '../tokens/tokens.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { LoginThrottle } from './login-throttle.js';
import { DUMMY_HASH, verifyPassword } from './passwords.js';
import type { Principal } from './principal.js';
import type { Role } from './roles.js';
import { newSessionToken, sha256 } from './secrets.js';
import { SessionsRepository } from './sessions.repository.js';

export const SESSION_COOKIE = 'switchboard_session';

/** lastSeenAt / lastUsedAt are written at most this often per session or token. */
const TOUCH_EVERY_MS = 60_000;

function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export const unauthorized = (detail: string) => new ProblemException(401, 'unauthorized', detail);

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: TokensRepository,
    private readonly sessions: SessionsRepository,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditRepository,
    private readonly prisma: PrismaService,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
  ) {}

  /**
   * The caller of a request: a bearer token (`Authorization: Bearer …`, looked up on every
   * request so revocation is immediate) or the session cookie. Undefined when anonymous; a
   * bad bearer token is an error rather than anonymous.
   */
  async authenticate(req: Request): Promise<Principal | undefined> {
    const now = new Date();
    const authorization = req.header('authorization');
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match?.[1]) throw unauthorized('The Authorization header must be "Bearer <token>"');
      const token = await this.tokens.findActiveByHash(sha256(match[1]));
      if (!token) throw unauthorized('The API token is unknown or revoked');
      if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
        await this.tokens.touch(token.id, now);
      }
      return {
        kind: 'token',
        id: token.id,
        name: token.name,
        role: token.role,
        actor: `token:${token.name}`,
      };
    }
    const cookie = readCookie(req, SESSION_COOKIE);
    if (!cookie) return undefined;
    const sessionId = sha256(cookie);
    const session = await this.sessions.findLive(sessionId, now);
    if (!session) return undefined;
    if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
      await this.sessions.touch(sessionId, now);
    }
    const { user } = session;
    return {
      kind: 'user',
      id: user.id,
      name: user.username,
      role: user.role as Role,
      actor: user.username,
      sessionId,
    };
  }

  /**
   * Checks the password, unless the username or the client address has failed too often (429
   * with Retry-After, the password not even looked at); returns the cookie value and the
   * principal. An unknown username takes the same path and the same time as a wrong password:
   * it is counted, audited and hashed against a dummy hash with the same scrypt parameters.
   */
  async login(
    username: string,
    password: string,
    address: string,
  ): Promise<{ cookie: string; principal: Principal; maxAgeMs: number }> {
    const verdict = await this.throttle.begin(username, address);
    if (!verdict.allowed) {
      if (verdict.firstRefusal) {
        await this.audit.record(this.prisma, {
          actor: 'anonymous',
          action: 'auth.login.throttled',
          target: `user:${username}`,
          details: {
            username,
            address,
            blocked: verdict.blocked,
            reason: verdict.reason,
            retryAfterSeconds: verdict.retryAfterSeconds,
          },
        });
      }
      throw new ProblemException(
        429,
        'too-many-logins',
        `Too many failed sign-ins; try again in ${verdict.retryAfterSeconds} s`,
        { retryAfter: verdict.retryAfterSeconds },
      );
    }
    const user = await this.users.findByUsername(username);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      await this.audit.record(this.prisma, {
        actor: 'anonymous',
        action: 'auth.login.failed',
        target: `user:${user?.username ?? username}`,
        details: { username, address },
      });
      throw unauthorized('Wrong username or password');
    }
    await this.throttle.succeeded(username, address);
    const cookie = newSessionToken();
    const maxAgeMs = this.config.sessionHours * 3_600_000;
    const now = new Date();
    await this.sessions.deleteExpired(now);
    await this.sessions.create({
      id: sha256(cookie),
      userId: user.id,
      expiresAt: new Date(now.getTime() + maxAgeMs),
    });
    return {
      cookie,
      maxAgeMs,
      principal: {
        kind: 'user',
        id: user.id,
        name: user.username,
        role: user.role as Role,
        actor: user.username,
      },
    };
  }

  async logout(principal: Principal | undefined): Promise<void> {
    if (principal?.sessionId) await this.sessions.delete(principal.sessionId);
  }

  get secureCookies(): boolean {
    return this.config.secureCookies;
  }
}
