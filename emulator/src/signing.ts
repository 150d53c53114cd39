import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  randomUUID,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';

// ---------------------------------------------------------------------------------------------
// Inbound: HMAC-SHA256 request signatures, as @azure/communication-common computes them.
// ---------------------------------------------------------------------------------------------

export interface SignatureCheck {
  ok: boolean;
  reason?: string;
}

const MAX_CLOCK_SKEW_MS = 10 * 60 * 1000;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * The SDK signs `pathname?URLSearchParams.toString()`, which can differ from the raw request
 * target (e.g. re-encoded nextLink queries), so both spellings are accepted.
 */
function candidatePaths(rawUrl: string): string[] {
  const u = new URL(rawUrl, 'http://x');
  const q = u.searchParams.toString();
  const normalised = q ? `${u.pathname}?${q}` : u.pathname;
  return normalised === rawUrl ? [rawUrl] : [rawUrl, normalised];
}

export function verifyHmac(
  method: string,
  rawUrl: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  accessKey: Buffer,
  now = Date.now(),
): SignatureCheck {
  const auth = header(headers, 'authorization');
  if (!auth) return { ok: false, reason: 'missing Authorization header' };
  const m = /^HMAC-SHA256\s+SignedHeaders=([^&]+)&Signature=(.+)$/i.exec(auth.trim());
  if (!m) return { ok: false, reason: 'Authorization is not HMAC-SHA256' };
  const signedHeaders = m[1]!.split(';').map((h) => h.trim().toLowerCase());
  const signature = m[2]!.trim();

  const contentHash = createHash('sha256').update(body).digest('base64');
  const sentHash = header(headers, 'x-ms-content-sha256');
  if (sentHash === undefined || !safeEqual(sentHash, contentHash)) {
    return { ok: false, reason: 'x-ms-content-sha256 does not match the body' };
  }
  const date = header(headers, 'x-ms-date') ?? header(headers, 'date');
  const when = date ? Date.parse(date) : NaN;
  if (Number.isNaN(when)) return { ok: false, reason: 'missing or invalid x-ms-date' };
  if (Math.abs(now - when) > MAX_CLOCK_SKEW_MS) return { ok: false, reason: 'stale x-ms-date' };

  const values = signedHeaders.map((h) => header(headers, h) ?? '');
  for (const path of candidatePaths(rawUrl)) {
    const stringToSign = `${method.toUpperCase()}\n${path}\n${values.join(';')}`;
    const expected = createHmac('sha256', accessKey).update(stringToSign, 'utf8').digest('base64');
    if (safeEqual(expected, signature)) return { ok: true };
  }
  return { ok: false, reason: 'signature mismatch' };
}

/** Client side of the same scheme, for the tests and tools that talk raw HTTP. */
export function signRequest(
  method: string,
  url: URL,
  body: string,
  accessKey: string,
  date = new Date().toUTCString(),
): Record<string, string> {
  const contentHash = createHash('sha256').update(body).digest('base64');
  const path = url.searchParams.toString() ? `${url.pathname}?${url.searchParams}` : url.pathname;
  const stringToSign = `${method.toUpperCase()}\n${path}\n${date};${url.host};${contentHash}`;
  const signature = createHmac('sha256', Buffer.from(accessKey, 'base64'))
    .update(stringToSign)
    .digest('base64');
  return {
    'x-ms-date': date,
    'x-ms-content-sha256': contentHash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Outbound: RS256 JWTs on callbacks, with the JWKS / OpenID configuration ACS publishes.
// ---------------------------------------------------------------------------------------------

const signAsync = promisify(sign) as (alg: string, data: Buffer, key: KeyObject) => Promise<Buffer>;

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export interface Jwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  use: 'sig';
  alg: 'RS256';
}

export class CallbackTokenSigner {
  readonly jwk: Jwk;
  private readonly header: string;
  private readonly publicKey: KeyObject;
  private cached?: { token: Promise<string>; until: number };

  constructor(
    private readonly privateKey: KeyObject,
    readonly issuer: string,
    readonly audience: string,
    /** 0 = a new token per event (ACS behaviour); > 0 lets a load test reuse one for that long. */
    private readonly reuseMs = 0,
  ) {
    this.publicKey = createPublicKey(privateKey);
    const pub = this.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    // RFC 7638 thumbprint, so the kid is stable for a persisted key.
    const kid = b64url(
      createHash('sha256')
        .update(JSON.stringify({ e: pub.e, kty: 'RSA', n: pub.n }))
        .digest(),
    );
    this.jwk = { kty: 'RSA', n: pub.n, e: pub.e, kid, use: 'sig', alg: 'RS256' };
    this.header = b64url(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT' }));
  }

  token(now = Date.now()): Promise<string> {
    if (this.reuseMs > 0 && this.cached && now < this.cached.until) return this.cached.token;
    const iat = Math.floor(now / 1000);
    const token = this.signJwt({
      iss: this.issuer,
      aud: this.audience,
      iat,
      nbf: iat,
      exp: iat + 300,
      jti: randomUUID(),
    });
    if (this.reuseMs > 0) this.cached = { token, until: now + this.reuseMs };
    return token;
  }

  /** Any claims, signed with the same key (the Identity API's access tokens use it too). */
  signJwt(claims: Record<string, unknown>): Promise<string> {
    const input = `${this.header}.${b64url(JSON.stringify(claims))}`;
    // Signing runs on the libuv pool so RSA never blocks the event loop that delivers callbacks.
    return signAsync('sha256', Buffer.from(input), this.privateKey).then(
      (sig) => `${input}.${b64url(sig)}`,
    );
  }

  /** The claims of a JWT this signer made, or undefined when it did not make it. */
  verifyJwt(token: string): Record<string, unknown> | undefined {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== this.header) return undefined;
    const ok = verify(
      'sha256',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      this.publicKey,
      Buffer.from(parts[2]!, 'base64url'),
    );
    if (!ok) return undefined;
    try {
      const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
      return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  jwks(): { keys: Jwk[] } {
    return { keys: [this.jwk] };
  }

  openIdConfiguration(jwksUri: string): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: jwksUri,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      claims_supported: ['iss', 'aud', 'iat', 'nbf', 'exp', 'jti'],
    };
  }
}

/** Keeps the signing key in the data folder (when given) so the JWKS survives restarts. */
export async function loadOrCreateSigningKey(dataDir?: string): Promise<KeyObject> {
  const file = dataDir ? join(dataDir, 'callback-signing-key.pem') : undefined;
  if (file) {
    try {
      return createPrivateKey(await readFile(file, 'utf8'));
    } catch {
      // first start: fall through and create one
    }
  }
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  if (file && dataDir) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return privateKey;
}
