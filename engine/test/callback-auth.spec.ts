import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CallbackAuth, CallbackAuthError } from '../src/acs/callback-auth.js';
import { loadConfig } from '../src/config/config.js';

/**
 * The callback token verifier against a real JWKS endpoint: every way a token can be wrong is
 * refused with CallbackAuthError (→ 401), and key-server trouble is not (→ 503).
 */
const ISSUER = 'https://acscallautomation.communication.azure.com';
const AUDIENCE = 'acs-resource-id';

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const acs = rsa();
const rotated = rsa();
const stranger = rsa();

let keys: JWK[] = [];
let fetches = 0;
let server: http.Server;
let jwksUrl = '';

beforeAll(async () => {
  keys = [{ ...(await exportJWK(acs.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }];
  server = http.createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/calling/keys`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const auth = (env: Record<string, string> = {}) =>
  new CallbackAuth(
    loadConfig({
      ACS_JWKS_URL: jwksUrl,
      ACS_CALLBACK_ISSUER: ISSUER,
      ACS_CALLBACK_AUDIENCE: AUDIENCE,
      ...env,
    }),
  );

const now = () => Math.floor(Date.now() / 1000);

async function token(
  claims: Record<string, unknown> = {},
  { key = acs.privateKey, kid = 'k1' }: { key?: KeyObject; kid?: string } = {},
): Promise<string> {
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, exp: now() + 300, iat: now(), ...claims })
    .setProtectedHeader({ alg: 'RS256', kid })
    .sign(key);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A token with any header and payload, RS256-signed with ACS's key (or not signed at all). */
function handMade(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), acs.privateKey).toString('base64url')}`;
}

const refused = async (a: CallbackAuth, authorization: string | undefined, reason: RegExp) => {
  const e = await a.verify(authorization).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, authorization).toBeInstanceOf(CallbackAuthError);
  expect((e as Error).message).toMatch(reason);
};

describe('callback token verification', () => {
  it('accepts a token ACS signed for this resource, with one key fetch for many tokens', async () => {
    const a = auth();
    const before = fetches;
    for (let i = 0; i < 5; i++) await a.verify(`Bearer ${await token({ n: i })}`);
    await a.verify(`bearer   ${await token({ aud: ['other', AUDIENCE] })}  `);
    expect(fetches - before).toBe(1);
  });

  it('refuses missing, malformed and forged tokens', async () => {
    const a = auth();
    const good = await token();
    const [h, p, s] = good.split('.') as [string, string, string];
    const otherPayload = b64({ iss: ISSUER, aud: AUDIENCE, exp: now() + 9999 });
    await refused(a, undefined, /missing bearer/);
    await refused(a, 'Basic abc', /missing bearer/);
    await refused(a, `Bearer ${h}.${p}`, /three base64url parts/);
    await refused(a, `Bearer ${h}.${p}.${s}.x`, /three base64url parts/);
    await refused(a, `Bearer ${h}.${p}.${s}=`, /three base64url parts/);
    await refused(a, `Bearer ${h}.${otherPayload}.${s}`, /signature/);
    await refused(a, `Bearer ${h}.${p}.${s.slice(0, -4)}AAAA`, /signature/);
    await refused(a, `Bearer ${await token({}, { key: stranger.privateKey })}`, /signature/);
    await refused(a, `Bearer ${b64('x')}.${p}.${s}`, /header is not a JSON object/);
    await refused(a, `Bearer bm90anNvbg.${p}.${s}`, /header is not base64url JSON/);
  });

  it('refuses other algorithms: none, HS256 keyed with the public key, RS512', async () => {
    const a = auth();
    const payload = { iss: ISSUER, aud: AUDIENCE, exp: now() + 300 };
    await refused(a, `Bearer ${b64({ alg: 'none' })}.${b64(payload)}.AA`, /algorithm "none"/);
    const input = `${b64({ alg: 'HS256', kid: 'k1' })}.${b64(payload)}`;
    const pem = acs.publicKey.export({ type: 'spki', format: 'pem' });
    const mac = createHmac('sha256', pem).update(input).digest('base64url');
    await refused(a, `Bearer ${input}.${mac}`, /algorithm "HS256"/);
    await refused(a, `Bearer ${handMade({ alg: 'RS512', kid: 'k1' }, payload)}`, /RS512/);
    await refused(
      a,
      `Bearer ${handMade({ alg: 'RS256', kid: 'k1', crit: ['exp'] }, payload)}`,
      /crit/,
    );
  });

  it('refuses expired, not-yet-valid, misaddressed and foreign-issuer tokens', async () => {
    const a = auth();
    await refused(a, `Bearer ${await token({ exp: now() - 31 })}`, /expired/);
    await refused(a, `Bearer ${await token({ nbf: now() + 120 })}`, /not yet valid/);
    await refused(a, `Bearer ${await token({ aud: 'someone-else' })}`, /aud/);
    await refused(a, `Bearer ${await token({ aud: ['a', 'b'] })}`, /aud/);
    await refused(a, `Bearer ${await token({ iss: 'https://evil.example' })}`, /iss/);
    const noExp = { iss: ISSUER, aud: AUDIENCE };
    await refused(a, `Bearer ${handMade({ alg: 'RS256', kid: 'k1' }, noExp)}`, /"exp"/);
    await refused(
      a,
      `Bearer ${handMade({ alg: 'RS256', kid: 'k1' }, { ...noExp, exp: String(now() + 60) })}`,
      /"exp" claim must be a number/,
    );
    // Within the 30 s clock tolerance.
    await a.verify(`Bearer ${await token({ exp: now() - 10, nbf: now() + 10 })}`);
  });

  it('refetches the key set for an unknown key id (rotation), and refuses a key id nobody has', async () => {
    const a = auth();
    await a.verify(`Bearer ${await token()}`);
    keys = [...keys, { ...(await exportJWK(rotated.publicKey)), kid: 'k2', alg: 'RS256' }];
    const before = fetches;
    const fromNewKey = `Bearer ${await token({}, { key: rotated.privateKey, kid: 'k2' })}`;
    // Within 30 s of the last fetch jose does not refetch (a flood of bad key ids must not
    // hammer the key server): refused until the cooldown has passed, then accepted.
    await refused(a, fromNewKey, /no applicable key/i);
    expect(fetches - before).toBe(0);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 });
    try {
      await a.verify(`Bearer ${await token({}, { key: rotated.privateKey, kid: 'k2' })}`);
      expect(fetches - before).toBe(1);
      await refused(a, `Bearer ${await token({}, { kid: 'k9' })}`, /no applicable key/i);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports an unreachable key server as trouble of its own (not a bad token)', async () => {
    const a = auth({ ACS_JWKS_URL: 'http://127.0.0.1:9/keys' });
    const e = await a.verify(`Bearer ${await token()}`).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(CallbackAuthError);
  });

  it('refuses every token when no audience is configured', async () => {
    await refused(auth({ ACS_CALLBACK_AUDIENCE: '' }), `Bearer ${await token()}`, /AUDIENCE/);
  });
});
