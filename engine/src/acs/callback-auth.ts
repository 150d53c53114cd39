import { KeyObject, verify as verifySignature, type webcrypto } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';

export class CallbackAuthError extends Error {}

/** Seconds of clock skew allowed on `exp` and `nbf`. */
const CLOCK_TOLERANCE = 30;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

const decodeJson = (segment: string, what: string): Record<string, unknown> => {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new CallbackAuthError(`the token's ${what} is not base64url JSON`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    throw new CallbackAuthError(`the token's ${what} is not a JSON object`);
  }
  return v as Record<string, unknown>;
};

/**
 * Verifies the RS256 bearer token ACS puts on every callback: signature (keys from
 * ACS_JWKS_URL, or the jwks_uri of ACS_OPENID_CONFIG_URL; cached, refetched on an unknown key
 * id — jose's remote key set), issuer, audience and expiry.
 *
 * ACS signs every callback with a fresh token, so nothing can be cached per token, and this runs
 * once per call event: the RSA check is node:crypto's synchronous verify (about 40 µs of CPU),
 * not jose's jwtVerify, whose WebCrypto path costs about 230 µs (thread-pool job, promises).
 * The checks are those of jwtVerify with `algorithms: ['RS256']`, `requiredClaims: ['exp']`.
 */
@Injectable()
export class CallbackAuth {
  private keys: Promise<JWTVerifyGetKey> | undefined;
  /** jose hands out one CryptoKey per JWK; its KeyObject form is what node:crypto verifies with. */
  private readonly keyObjects = new WeakMap<webcrypto.CryptoKey, KeyObject>();

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

  private async publicKey(header: Record<string, unknown>, token: string): Promise<KeyObject> {
    const keys = await this.getKeys();
    let cryptoKey;
    try {
      const [protectedHeader, payload, signature] = token.split('.') as [string, string, string];
      const found: unknown = await keys(header as unknown as Parameters<JWTVerifyGetKey>[0], {
        protected: protectedHeader,
        payload,
        signature,
      });
      cryptoKey = found as webcrypto.CryptoKey;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      // No key with this id even after a refetch: the token is not ACS's. Key-server trouble
      // is ours, not the sender's: let it retry (503), not 401.
      if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS')
        throw new CallbackAuthError(e instanceof Error ? e.message : String(e));
      throw e;
    }
    let key = this.keyObjects.get(cryptoKey);
    if (!key) {
      key = KeyObject.from(cryptoKey);
      this.keyObjects.set(cryptoKey, key);
    }
    return key;
  }

  /** Throws CallbackAuthError for a missing, forged, expired or misaddressed token. */
  async verify(authorization: string | undefined): Promise<void> {
    const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    const token = m?.[1];
    if (!token) throw new CallbackAuthError('missing bearer token');
    const audience = this.config.acs.audience;
    if (!audience) throw new CallbackAuthError('ACS_CALLBACK_AUDIENCE is not configured');
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) {
      throw new CallbackAuthError('the token is not a compact JWS (three base64url parts)');
    }
    const [h, p, s] = parts as [string, string, string];
    const header = decodeJson(h, 'header');
    if (header.alg !== 'RS256') {
      throw new CallbackAuthError(
        `algorithm ${JSON.stringify(header.alg)} is not accepted (RS256 only)`,
      );
    }
    // Critical extensions (RFC 7515 §4.1.11) this verifier would not honour: refuse, as jose does.
    if (header.crit !== undefined) throw new CallbackAuthError('the token has a "crit" header');
    const key = await this.publicKey(header, token);
    if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
      throw new CallbackAuthError('the signing key is not an RSA key of 2048 bits or more');
    }
    const ok = verifySignature(
      'sha256',
      Buffer.from(`${h}.${p}`, 'latin1'),
      key,
      Buffer.from(s, 'base64url'),
    );
    if (!ok) throw new CallbackAuthError('signature verification failed');

    const claims = decodeJson(p, 'payload');
    const now = Math.floor(Date.now() / 1000);
    const { exp, nbf, iat, iss, aud } = claims;
    if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) {
      throw new CallbackAuthError('"iat" claim must be a number');
    }
    if (exp === undefined) throw new CallbackAuthError('missing required "exp" claim');
    if (typeof exp !== 'number' || !Number.isFinite(exp)) {
      throw new CallbackAuthError('"exp" claim must be a number');
    }
    if (exp <= now - CLOCK_TOLERANCE) throw new CallbackAuthError('the token has expired');
    if (nbf !== undefined) {
      if (typeof nbf !== 'number' || !Number.isFinite(nbf)) {
        throw new CallbackAuthError('"nbf" claim must be a number');
      }
      if (nbf > now + CLOCK_TOLERANCE) throw new CallbackAuthError('the token is not yet valid');
    }
    const issuer = this.config.acs.issuer;
    if (issuer && iss !== issuer) {
      throw new CallbackAuthError(`unexpected "iss" claim value ${JSON.stringify(iss)}`);
    }
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.includes(audience)) {
      throw new CallbackAuthError('unexpected "aud" claim value');
    }
  }
}
