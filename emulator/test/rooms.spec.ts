import { CommunicationIdentityClient } from '@azure/communication-identity';
import { RoomsClient } from '@azure/communication-rooms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS_NUMBER, httpsHarness, type Harness } from './helpers.js';

/** The Rooms API with the unmodified @azure/communication-rooms SDK, and room calls. */
let h: Harness;
let rooms: RoomsClient;
let identity: CommunicationIdentityClient;
beforeAll(async () => {
  h = await httpsHarness();
  rooms = new RoomsClient(h.emulator.connectionString);
  identity = new CommunicationIdentityClient(h.emulator.connectionString);
});
afterAll(() => h.close());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function all<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) out.push(x);
  return out;
}

const rawIds = async (roomId: string) =>
  (await all(rooms.listParticipants(roomId)))
    .map((p) => [(p.id as { communicationUserId: string }).communicationUserId, p.role])
    .sort();

describe('rooms', () => {
  it('create with participants, get, update, list, delete', async () => {
    const [presenter, attendee] = await Promise.all([identity.createUser(), identity.createUser()]);
    const validFrom = new Date(Math.floor(Date.now() / 1000) * 1000);
    const validUntil = new Date(validFrom.getTime() + 2 * HOUR);
    const room = await rooms.createRoom({
      validFrom,
      validUntil,
      participants: [
        { id: presenter, role: 'Presenter' },
        { id: attendee }, // the SDK's default role, Attendee
      ],
    });
    expect(room.id).toMatch(/^\d{17}$/);
    expect(room).toMatchObject({ validFrom, validUntil, pstnDialOutEnabled: false });
    expect(room.createdOn).toBeInstanceOf(Date);
    expect(await rooms.getRoom(room.id)).toEqual(room);
    expect(await rawIds(room.id)).toEqual(
      [
        [presenter.communicationUserId, 'Presenter'],
        [attendee.communicationUserId, 'Attendee'],
      ].sort(),
    );

    const later = new Date(validFrom.getTime() + 5 * HOUR);
    const updated = await rooms.updateRoom(room.id, {
      validUntil: later,
      pstnDialOutEnabled: true,
    });
    expect(updated).toMatchObject({
      id: room.id,
      validFrom,
      validUntil: later,
      pstnDialOutEnabled: true,
    });
    expect(await rooms.getRoom(room.id)).toMatchObject({
      validUntil: later,
      pstnDialOutEnabled: true,
    });

    expect((await all(rooms.listRooms())).map((r) => r.id)).toContain(room.id);

    await rooms.deleteRoom(room.id);
    await expect(rooms.getRoom(room.id)).rejects.toMatchObject({ statusCode: 404 });
    expect((await all(rooms.listRooms())).map((r) => r.id)).not.toContain(room.id);
  });

  it('participants: add, change a role, remove', async () => {
    const [a, b, c] = await Promise.all([
      identity.createUser(),
      identity.createUser(),
      identity.createUser(),
    ]);
    const room = await rooms.createRoom({ participants: [{ id: a, role: 'Presenter' }] });
    await rooms.addOrUpdateParticipants(room.id, [
      { id: a, role: 'Consumer' },
      { id: b, role: 'Collaborator' },
      { id: c },
    ]);
    expect(await rawIds(room.id)).toEqual(
      [
        [a.communicationUserId, 'Consumer'],
        [b.communicationUserId, 'Collaborator'],
        [c.communicationUserId, 'Attendee'],
      ].sort(),
    );
    await rooms.removeParticipants(room.id, [a, c]);
    expect(await rawIds(room.id)).toEqual([[b.communicationUserId, 'Collaborator']]);
  });

  it('defaults: open from now for 180 days, no PSTN dial-out', async () => {
    const before = Date.now();
    const room = await rooms.createRoom();
    expect(room.validFrom.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(room.validUntil.getTime() - room.validFrom.getTime()).toBe(180 * DAY);
    expect(room.pstnDialOutEnabled).toBe(false);
  });

  it('lists more rooms than a page through nextLink', async () => {
    const made = new Set<string>();
    for (let i = 0; i < 101; i++) made.add((await rooms.createRoom()).id);
    const pages: number[] = [];
    for await (const page of rooms.listRooms().byPage()) pages.push(page.length);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages[0]).toBe(100);
    const listed = new Set((await all(rooms.listRooms())).map((r) => r.id));
    for (const id of made) expect(listed.has(id)).toBe(true);
  });

  it('refuses bad input with 400 naming the field, and unknown rooms with 404', async () => {
    const now = Date.now();
    await expect(
      rooms.createRoom({ validFrom: new Date(now + HOUR), validUntil: new Date(now) }),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('validUntil') });
    await expect(
      rooms.createRoom({ validFrom: new Date(now), validUntil: new Date(now + 181 * DAY) }),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('180 days') });
    const foreign = {
      communicationUserId:
        '8:acs:00000000-0000-0000-0000-000000000000_00000000-0000-0000-0000-000000000001',
    };
    await expect(rooms.createRoom({ participants: [{ id: foreign }] })).rejects.toMatchObject({
      statusCode: 400,
    });
    const room = await rooms.createRoom();
    await expect(
      rooms.updateRoom(room.id, { validUntil: new Date(room.validFrom.getTime() - HOUR) }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(rooms.getRoom('99000000000000000')).rejects.toMatchObject({ statusCode: 404 });
    await expect(rooms.deleteRoom('99000000000000000')).rejects.toMatchObject({ statusCode: 404 });
    await expect(all(rooms.listParticipants('99000000000000000'))).rejects.toMatchObject({
      statusCode: 404,
    });
  });
});

describe('room calls', () => {
  const connect = async (roomId: string) => {
    const res = await h.client.connectCall({ kind: 'roomCallLocator', id: roomId }, h.callbackUri);
    return { id: res.callConnectionProperties.callConnectionId!, connection: res.callConnection };
  };

  it('connectCall to an open room connects; unknown, expired and future rooms fail', async () => {
    const open = await rooms.createRoom();
    const ok = await connect(open.id);
    await h.receiver.waitForKinds(ok.id, ['CallConnected']);

    const now = Date.now();
    const expired = await rooms.createRoom({
      validFrom: new Date(now - 2 * HOUR),
      validUntil: new Date(now - HOUR),
    });
    const future = await rooms.createRoom({
      validFrom: new Date(now + HOUR),
      validUntil: new Date(now + 2 * HOUR),
    });
    for (const [roomId, code] of [
      ['99000000000000001', 404],
      [expired.id, 403],
      [future.id, 403],
    ] as const) {
      const c = await connect(roomId);
      await h.receiver.waitForKinds(c.id, ['ConnectFailed']);
      expect(h.receiver.kinds(c.id)).toEqual(['ConnectFailed']);
      expect(h.receiver.callbacks(c.id)[0]!.data.resultInformation).toMatchObject({ code });
    }
  });

  it('dials out to a phone only when the room has pstnDialOutEnabled', async () => {
    const room = await rooms.createRoom();
    const c = await connect(room.id);
    await h.receiver.waitForKinds(c.id, ['CallConnected']);
    const phone = '+15557003001';
    await h.emulator.control.setEndpoint(phone, { onInvite: 'accept', ringMs: 100 });
    const add = () =>
      c.connection.addParticipant({
        targetParticipant: { phoneNumber: phone },
        sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
      });
    const refused = await add().catch((e: unknown) => e);
    expect(refused).toMatchObject({ statusCode: 403 });
    expect((refused as Error).message).toContain('pstnDialOutEnabled');

    await rooms.updateRoom(room.id, { pstnDialOutEnabled: true });
    await add();
    await h.receiver.waitForKinds(c.id, ['AddParticipantSucceeded']);
  });
});
