import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, type JWTPayload, SignJWT } from 'jose';

export interface KeyServer {
  /** Where the JWKS is served (an engine's ACS_JWKS_URL or ACS_EVENTGRID_ENTRA_JWKS_URL). */
  url: string;
  /** An RS256 token signed with the served key (or `key`), valid for five minutes. */
  sign(claims: JWTPayload, key?: KeyObject): Promise<string>;
  close(): Promise<void>;
}

/**
 * A JWKS endpoint on loopback with one RSA key, standing in for ACS's or Entra ID's key server:
 * tests mint tokens the engine's real verification accepts.
 */
export async function startKeyServer(kid = 'k1'): Promise<KeyServer> {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(await exportJWK(key.publicKey)), kid, alg: 'RS256', use: 'sig' };
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`,
    sign: (claims, signer = key.privateKey) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(signer),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
