/**
 * The ACS users the emulated resource owns (`8:acs:<resourceId>_<uuid>`, created through the
 * Identity API) and the access tokens issued to them. A user exists until it is deleted; calls
 * to it are the resource's own calls (routed to a subscribed app, else its own client rings).
 * A token is valid while it has not expired, its user exists and its tokens were not revoked
 * since it was issued. Everything lives in memory for the emulator's life.
 */
import { randomUUID } from 'node:crypto';
import type { CallbackTokenSigner } from './signing.js';

export const tokenScopes = ['chat', 'voip', 'chat.join', 'chat.join.limited', 'voip.join'] as const;
export type TokenScope = (typeof tokenScopes)[number];

/** The Identity API's bounds on a token's life (minutes); the default is the maximum. */
export const tokenMinutes = { min: 60, max: 1440, default: 1440 } as const;

interface User {
  id: string;
  createdAt: Date;
  /** jti of every token still valid; revoking clears it. */
  tokens: Set<string>;
}

export interface IssuedToken {
  token: string;
  expiresOn: Date;
}

/** What a Calling SDK client presenting a token would learn from the service. */
export interface TokenCheck {
  valid: boolean;
  reason?: 'malformed' | 'expired' | 'revoked' | 'userDeleted';
  user?: string;
  scopes?: string[];
  expiresOn?: string;
}

export interface UserSummary {
  id: string;
  createdAt: string;
  validTokens: number;
}

export class Identities {
  private readonly users = new Map<string, User>();
  private readonly prefix: string;

  constructor(
    resourceId: string,
    private readonly signer: CallbackTokenSigner,
  ) {
    this.prefix = `8:acs:${resourceId}_`;
  }

  create(): string {
    const id = `${this.prefix}${randomUUID()}`;
    this.users.set(id, { id, createdAt: new Date(), tokens: new Set() });
    return id;
  }

  /** An id this resource could have made (another resource's users are not its business). */
  isOfThisResource(id: string): boolean {
    return id.startsWith(this.prefix);
  }

  has(id: string): boolean {
    return this.users.has(id);
  }

  list(): UserSummary[] {
    return [...this.users.values()].map((u) => ({
      id: u.id,
      createdAt: u.createdAt.toISOString(),
      validTokens: u.tokens.size,
    }));
  }

  /** The caller checks that the user exists. */
  async issue(id: string, scopes: readonly TokenScope[], minutes: number): Promise<IssuedToken> {
    const user = this.users.get(id)!;
    const jti = randomUUID();
    const now = Date.now();
    const iat = Math.floor(now / 1000);
    const exp = iat + minutes * 60;
    const token = await this.signer.signJwt({
      skypeid: id.slice(2),
      scp: 1792,
      csi: String(iat),
      iat,
      exp,
      acsScope: scopes.join(','),
      resourceId: this.prefix.slice('8:acs:'.length, -1),
      jti,
    });
    user.tokens.add(jti);
    return { token, expiresOn: new Date(exp * 1000) };
  }

  revoke(id: string): void {
    this.users.get(id)?.tokens.clear();
  }

  delete(id: string): boolean {
    return this.users.delete(id);
  }

  verify(token: string, now = Date.now()): TokenCheck {
    const claims = this.signer.verifyJwt(token);
    const skypeid = claims?.skypeid;
    const jti = claims?.jti;
    const exp = claims?.exp;
    if (typeof skypeid !== 'string' || typeof jti !== 'string' || typeof exp !== 'number') {
      return { valid: false, reason: 'malformed' };
    }
    const id = `8:${skypeid}`;
    const scopes = typeof claims!.acsScope === 'string' ? claims!.acsScope.split(',') : [];
    const facts = { user: id, scopes, expiresOn: new Date(exp * 1000).toISOString() };
    const user = this.users.get(id);
    if (!user) return { valid: false, reason: 'userDeleted', ...facts };
    if (!user.tokens.has(jti)) return { valid: false, reason: 'revoked', ...facts };
    if (exp * 1000 <= now) return { valid: false, reason: 'expired', ...facts };
    return { valid: true, ...facts };
  }
}
