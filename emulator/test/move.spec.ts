import type { CallConnection } from '@azure/communication-call-automation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS_NUMBER, answeredCall, httpsHarness, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await httpsHarness();
});
afterAll(() => h.close());

let n = 0;
const freshNumber = () => `+1555600${String(++n).padStart(4, '0')}`;
const freshAgent = () =>
  `8:acs:11111111-1111-1111-1111-111111111111_0000a9e7-0000-0000-0000-${String(++n).padStart(12, '0')}`;

interface Roster {
  identifier: { rawId: string };
}
const rawIds = (data: Record<string, unknown>) =>
  (data.participants as Roster[]).map((p) => p.identifier.rawId).sort();

/** The agent app calls the agent (an ACS user) and waits until they are connected. */
async function agentCall(agent: string) {
  const res = await h.client.createCall(
    { targetParticipant: { communicationUserId: agent } },
    `${h.receiver.url}/callbacks/agent`,
  );
  const id = res.callConnectionProperties.callConnectionId!;
  await h.receiver.waitForKinds(id, ['CallConnected', 'ParticipantsUpdated']);
  return { id, serverCallId: res.callConnectionProperties.serverCallId!, conn: res.callConnection };
}

/** The lobby app's call, with a second waiting caller added to it. */
async function lobbyWithTwo(script?: unknown) {
  const caller = freshNumber();
  const lobby = await answeredCall(h, script, caller);
  const second = freshNumber();
  await lobby.connection.addParticipant({
    targetParticipant: { phoneNumber: second },
    sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
  });
  await h.receiver.waitForKinds(lobby.id, ['AddParticipantSucceeded']);
  return { ...lobby, caller, second };
}

async function last(id: string, kind: string, where: (d: Record<string, unknown>) => boolean) {
  return h.receiver.waitFor(
    () =>
      h.receiver
        .callbacks(id)
        .filter((e) => e.kind === kind && where(e.data))
        .at(-1),
    5000,
    kind,
  );
}

describe('participants:moveHere', () => {
  it('moves a waiting caller from the lobby call into the agent call; the lobby ends when empty', async () => {
    // The caller presses 7 when a recognize starts — in whichever call they are by then.
    const lobby = await lobbyWithTwo([{ on: 'recognize', afterMs: 100, dtmf: '7' }]);
    const agent = freshAgent();
    const b = await agentCall(agent);

    const res = await b.conn.moveParticipants([{ phoneNumber: lobby.caller }], lobby.id, {
      operationContext: 'to-agent',
    });
    expect(res.fromCall).toBe(lobby.id);
    expect(res.operationContext).toBe('to-agent');
    expect(res.participants?.map((p) => p.identifier)).toEqual([
      expect.objectContaining({ phoneNumber: lobby.caller }),
    ]);

    const moved = await last(b.id, 'MoveParticipantSucceeded', () => true);
    expect(moved.data).toMatchObject({
      operationContext: 'to-agent',
      fromCall: lobby.id,
      participant: { rawId: `4:${lobby.caller}` },
      resultInformation: { code: 200, subCode: 0 },
    });
    // Both calls are told who is in them now.
    await last(b.id, 'ParticipantsUpdated', (d) => rawIds(d).includes(`4:${lobby.caller}`));
    const agentRoster = rawIds(h.receiver.callbacks(b.id).at(-1)!.data);
    expect(agentRoster).toEqual(expect.arrayContaining([`4:${lobby.caller}`, agent]));
    expect(agentRoster).not.toContain(`4:${lobby.second}`);
    const lobbyRoster = await last(
      lobby.id,
      'ParticipantsUpdated',
      (d) => !rawIds(d).includes(`4:${lobby.caller}`),
    );
    expect(rawIds(lobbyRoster.data).filter((id) => id.startsWith('4:'))).toEqual([
      `4:${lobby.second}`,
    ]);

    // The caller is really in the agent call now: their script answers the agent app's menu.
    await b.conn
      .getCallMedia()
      .startRecognizing(
        { phoneNumber: lobby.caller },
        { kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: 1 },
      );
    const recognized = await last(b.id, 'RecognizeCompleted', () => true);
    expect(recognized.data.dtmfResult).toEqual({ tones: ['seven'] });

    // Moving the last one out ends the lobby call for the lobby app.
    await b.conn.moveParticipants([{ phoneNumber: lobby.second }], lobby.id);
    const ended = await last(lobby.id, 'CallDisconnected', () => true);
    expect(ended.data.resultInformation).toMatchObject({ code: 200, subCode: 5002 });
    expect((await h.emulator.control.getCall(lobby.serverCallId)).state).toBe('disconnected');
    expect((await h.emulator.control.getCall(b.serverCallId)).state).toBe('connected');
  });

  it('MoveParticipantFailed for someone not in fromCall, for an unknown or ended fromCall', async () => {
    const lobby = await lobbyWithTwo();
    const b = await agentCall(freshAgent());
    const failed = (conn: CallConnection, who: string, fromCall: string, ctx: string) =>
      conn.moveParticipants([{ phoneNumber: who }], fromCall, { operationContext: ctx });

    const stranger = freshNumber();
    await failed(b.conn, stranger, lobby.id, 'stranger');
    const notThere = await last(
      b.id,
      'MoveParticipantFailed',
      (d) => d.operationContext === 'stranger',
    );
    expect(notThere.data).toMatchObject({
      participant: { rawId: `4:${stranger}` },
      fromCall: lobby.id,
      resultInformation: { code: 400, subCode: 8519 },
    });

    await failed(b.conn, lobby.caller, '00000000-0000-0000-0000-000000000000', 'unknown');
    const unknown = await last(
      b.id,
      'MoveParticipantFailed',
      (d) => d.operationContext === 'unknown',
    );
    expect(unknown.data.resultInformation).toMatchObject({ code: 404, subCode: 8522 });

    await lobby.connection.hangUp(true);
    await h.receiver.waitForKinds(lobby.id, ['CallDisconnected']);
    await failed(b.conn, lobby.caller, lobby.id, 'ended');
    const ended = await last(b.id, 'MoveParticipantFailed', (d) => d.operationContext === 'ended');
    expect(ended.data.resultInformation).toMatchObject({ code: 404, subCode: 8522 });
    // Nobody joined the agent call.
    const people = (await b.conn.listParticipants()).values!.map((p) => p.identifier!);
    expect(people.filter((i) => 'phoneNumber' in i)).toEqual([]);
  });

  it('answers 400 naming the field to a bad request, and to a move within the same call', async () => {
    const b = await agentCall(freshAgent());
    await expect(b.conn.moveParticipants([], b.id)).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining("'targetParticipants'"),
    });
    await expect(
      b.conn.moveParticipants([{ phoneNumber: freshNumber() }], ''),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining("'fromCall'") });
    await expect(
      b.conn.moveParticipants([{ phoneNumber: freshNumber() }], b.id),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining("'fromCall'") });
  });
});
