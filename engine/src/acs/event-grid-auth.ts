import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';

export class EventGridAuthError extends Error {}

/**
 * Who may post Event Grid deliveries: whoever can post an IncomingCall starts a run and makes the
 * engine call ACS, so a real deployment authenticates them — with the shared secret of the
 * subscription's URL (`?secret=`), or with the Microsoft Entra ID token Event Grid sends when the
 * subscription uses Entra authentication (issuer: the tenant; audience: the application id).
 */
@Injectable()
export class EventGridAuth {
  private keys: JWTVerifyGetKey | undefined;

  constructor(@Inject(ENGINE_CONFIG) private readonly config: EngineConfig) {}

  get mode(): EngineConfig['acs']['eventGridAuth'] {
    return this.config.acs.eventGridAuth;
  }

  /** Throws EventGridAuthError for a delivery that is not authenticated as configured. */
  async verify(secret: string | undefined, authorization: string | undefined): Promise<void> {
    const acs = this.config.acs;
    if (acs.eventGridAuth === 'none') return;
    if (acs.eventGridAuth === 'secret') {
      const a = Buffer.from(secret ?? '');
      const b = Buffer.from(acs.eventGridSecret ?? '');
      if (a.length !== b.length || b.length === 0 || !timingSafeEqual(a, b)) {
        throw new EventGridAuthError('missing or wrong secret');
      }
      return;
    }
    const entra = acs.eventGridEntra;
    if (!entra) throw new EventGridAuthError('Entra authentication is not configured');
    const token = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
    if (!token) throw new EventGridAuthError('missing bearer token');
    this.keys ??= createRemoteJWKSet(new URL(entra.jwksUrl), {
      cacheMaxAge: 24 * 3600 * 1000,
      timeoutDuration: 5000,
    });
    try {
      await jwtVerify(token, this.keys, {
        algorithms: ['RS256'],
        audience: entra.audience,
        // Entra issues v2 tokens as login.microsoftonline.com/{tenant}/v2.0, v1 as sts.windows.net.
        issuer: [
          `https://login.microsoftonline.com/${entra.tenantId}/v2.0`,
          `https://sts.windows.net/${entra.tenantId}/`,
        ],
      });
    } catch (e) {
      throw new EventGridAuthError(e instanceof Error ? e.message : String(e));
    }
  }
}
