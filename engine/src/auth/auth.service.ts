import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { ProblemException } from '../common/problem.js';
import { TokensRepository } from '../tokens/tokens.repository.js';
import { UsersRepository } from '../users/users.repository.js';
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

  /** Checks the password; returns the cookie value and the principal. */
  async login(
    username: string,
    password: string,
  ): Promise<{ cookie: string; principal: Principal; maxAgeMs: number }> {
    const user = await this.users.findByUsername(username);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) throw unauthorized('Wrong username or password');
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
