import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';

export class CallbackAuthError extends Error {}

/**
 * Verifies the RS256 bearer token ACS puts on every callback: signature (keys from
 * ACS_JWKS_URL, or the jwks_uri of ACS_OPENID_CONFIG_URL; cached, refetched on an unknown key
 * id by jose), issuer, audience and expiry.
 */
@Injectable()
export class CallbackAuth {
  private keys: Promise<JWTVerifyGetKey> | undefined;

  constructor(@Inject(ENGINE_CONFIG) private readonly config: EngineConfig) {}

  private getKeys(): Promise<JWTVerifyGetKey> {
    this.keys ??= (async () => {
      const acs = this.config.acs;
      let jwksUrl = acs.jwksUrl;
      if (!jwksUrl && acs.openIdConfigUrl) {
        const res = await fetch(acs.openIdConfigUrl, { signal: AbortSignal.timeout(5000) });
        if (!res.ok) throw new Error(`OpenID configuration: HTTP ${res.status}`);
        const doc = (await res.json()) as { jwks_uri?: string };
        if (!doc.jwks_uri) throw new Error('OpenID configuration has no jwks_uri');
        jwksUrl = doc.jwks_uri;
      }
      if (!jwksUrl) throw new Error('neither ACS_JWKS_URL nor ACS_OPENID_CONFIG_URL is set');
      return createRemoteJWKSet(new URL(jwksUrl), {
        cacheMaxAge: 24 * 3600 * 1000,
        cooldownDuration: 30_000,
        timeoutDuration: 5000,
      });
    })();
    this.keys.catch(() => {
      this.keys = undefined;
    });
    return this.keys;
  }

  /** Throws CallbackAuthError for a missing, forged, expired or misaddressed token. */
  async verify(authorization: string | undefined): Promise<void> {
    const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!m?.[1]) throw new CallbackAuthError('missing bearer token');
    const audience = this.config.acs.audience;
    if (!audience) throw new CallbackAuthError('ACS_CALLBACK_AUDIENCE is not configured');
    const keys = await this.getKeys();
    try {
      await jwtVerify(m[1], keys, {
        issuer: this.config.acs.issuer,
        audience,
        algorithms: ['RS256'],
        clockTolerance: 30,
        requiredClaims: ['exp'],
      });
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      // Key-server trouble is ours, not the sender's: let it retry (503) rather than 401.
      if (typeof code !== 'string' || !code.startsWith('ERR_JW') || code === 'ERR_JWKS_TIMEOUT')
        throw e;
      throw new CallbackAuthError(e instanceof Error ? e.message : String(e));
    }
  }
}
