import { CommunicationIdentityClient } from '@azure/communication-identity';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsHarness, type Harness } from './helpers.js';

/** The Identity API with the unmodified @azure/communication-identity SDK, over HTTPS. */
let h: Harness;
let identity: CommunicationIdentityClient;
beforeAll(async () => {
  h = await httpsHarness();
  identity = new CommunicationIdentityClient(h.emulator.connectionString);
});
afterAll(() => h.close());

const MINUTE = 60_000;

describe('users and tokens', () => {
  it('creates a user of this resource, with and without a token', async () => {
    const user = await identity.createUser();
    expect(user.communicationUserId).toMatch(
      new RegExp(`^8:acs:${h.emulator.resourceId}_[0-9a-f-]{36}$`),
    );
    const before = Date.now();
    const both = await identity.createUserAndToken(['voip'], { tokenExpiresInMinutes: 60 });
    expect(both.user.communicationUserId).not.toBe(user.communicationUserId);
    expect(both.expiresOn.getTime()).toBeGreaterThanOrEqual(before + 59 * MINUTE);
    expect(both.expiresOn.getTime()).toBeLessThanOrEqual(Date.now() + 60 * MINUTE);
    const ids = (await h.emulator.control.users()).map((u) => u.id);
    expect(ids).toEqual(
      expect.arrayContaining([user.communicationUserId, both.user.communicationUserId]),
    );

    // A JWT with the right exp, signed with the emulator's key (apps treat it as opaque).
    const { payload } = await jwtVerify(
      both.token,
      createRemoteJWKSet(new URL(h.emulator.jwksUrl)),
    );
    expect(payload.exp).toBe(Math.floor(both.expiresOn.getTime() / 1000));
    expect(payload.skypeid).toBe(both.user.communicationUserId.slice(2));
    expect(await h.emulator.control.verifyAccessToken(both.token)).toMatchObject({
      valid: true,
      user: both.user.communicationUserId,
      scopes: ['voip'],
    });
  });

  it('issues tokens with scopes, 24 hours by default; revoking invalidates the earlier ones', async () => {
    const user = await identity.createUser();
    const before = Date.now();
    const first = await identity.getToken(user, ['chat', 'voip']);
    expect(first.expiresOn.getTime()).toBeGreaterThanOrEqual(before + 1439 * MINUTE);
    const second = await identity.getToken(user, ['chat'], { tokenExpiresInMinutes: 90 });
    expect(await h.emulator.control.verifyAccessToken(first.token)).toMatchObject({
      valid: true,
      scopes: ['chat', 'voip'],
    });

    await identity.revokeTokens(user);
    for (const t of [first, second]) {
      expect(await h.emulator.control.verifyAccessToken(t.token)).toMatchObject({
        valid: false,
        reason: 'revoked',
      });
    }
    const after = await identity.getToken(user, ['voip']);
    expect((await h.emulator.control.verifyAccessToken(after.token)).valid).toBe(true);
  });

  it('a deleted user is gone: its tokens are invalid and it is unknown (404)', async () => {
    const { user, token } = await identity.createUserAndToken(['voip']);
    await identity.deleteUser(user);
    expect(await h.emulator.control.verifyAccessToken(token)).toMatchObject({
      valid: false,
      reason: 'userDeleted',
    });
    expect((await h.emulator.control.users()).map((u) => u.id)).not.toContain(
      user.communicationUserId,
    );
    await expect(identity.getToken(user, ['voip'])).rejects.toMatchObject({ statusCode: 404 });
    await expect(identity.revokeTokens(user)).rejects.toMatchObject({ statusCode: 404 });
    await expect(identity.deleteUser(user)).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('errors, as the service answers them', () => {
  it('no scopes, an unknown scope, a token life outside 60–1440 minutes: 400 ValidationError', async () => {
    const user = await identity.createUser();
    const noScopes = await identity.getToken(user, []).catch((e: unknown) => e);
    expect(noScopes).toMatchObject({
      statusCode: 400,
      code: 'ValidationError',
      message: 'Invalid scopes - Scopes field is required.',
    });
    await expect(identity.getToken(user, ['video' as never])).rejects.toMatchObject({
      statusCode: 400,
      code: 'ValidationError',
    });
    for (const minutes of [59, 1441]) {
      await expect(
        identity.getToken(user, ['chat'], { tokenExpiresInMinutes: minutes }),
      ).rejects.toMatchObject({ statusCode: 400 });
      await expect(
        identity.createUserAndToken(['chat'], { tokenExpiresInMinutes: minutes }),
      ).rejects.toMatchObject({ statusCode: 400 });
    }
  });

  it('a user of another resource is 401; a wrong access key is 401', async () => {
    const foreign = {
      communicationUserId:
        '8:acs:00000000-0000-0000-0000-000000000000_00000000-0000-0000-0000-000000000000',
    };
    await expect(identity.getToken(foreign, ['voip'])).rejects.toMatchObject({ statusCode: 401 });
    await expect(identity.deleteUser(foreign)).rejects.toMatchObject({ statusCode: 401 });
    const wrongKey = new CommunicationIdentityClient(
      h.emulator.connectionString.replace(
        /accesskey=.*/,
        `accesskey=${Buffer.alloc(32, 7).toString('base64')}`,
      ),
    );
    await expect(wrongKey.createUser()).rejects.toMatchObject({ statusCode: 401 });
  });

  it('a token the emulator did not issue is not valid', async () => {
    expect(await h.emulator.control.verifyAccessToken('eyJhbGciOiJub25lIn0.e30.')).toEqual({
      valid: false,
      reason: 'malformed',
    });
  });
});
