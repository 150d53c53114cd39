import type { CallAutomationEvent } from '@azure/communication-call-automation';
import { CommunicationIdentityClient } from '@azure/communication-identity';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type CallDetail, type Emulator } from '../src/index.js';
import {
  startInboundSpeechApp,
  prompts as inboundPrompts,
} from './real-apps/inbound-speech-transfer.app.js';
import {
  prompts as lobbyPrompts,
  startAgentDeskApp,
  startLobbyApp,
} from './real-apps/lobby.app.js';
import {
  prompts as outboundPrompts,
  startOutboundChoicesApp,
} from './real-apps/outbound-choices.app.js';
import {
  deskPrompts,
  queuePrompts,
  startDeskApp,
  startQueueApp,
} from './real-apps/queue-handoff.app.js';
import { startRoomsApp } from './real-apps/rooms.app.js';
import type { AcsAppConfig, AppLog } from './real-apps/webhook-server.js';

/**
 * The acceptance test of the emulator: apps written for real ACS, the way Microsoft's Call
 * Automation samples write them (test/real-apps/), run unmodified against one HTTPS emulator —
 * only their connection string, callback URL, Cognitive Services endpoint and JWT settings point
 * at it. The emulator's control API plays the people on the phones; the assertions read what the
 * callers lived through (the call's timeline: who was in it, what they heard) and what each app
 * saw.
 */

/** The resource's numbers, one per app (and two desk lines for the hand-off). */
const LINES = {
  outbound: '+18005550100',
  support: '+18005550101',
  lobby: '+18005550102',
  rooms: '+18005550103',
  queue: '+18005550104',
  sales: '+18005550105',
  billing: '+18005550106',
};
/** An agent's phone outside ACS (a simulated PSTN endpoint). */
const AGENT_PHONE = '+15557770001';
const HOLD_MUSIC = 'https://media.contoso.example/lobby/hold-music.mp3';

let emulator: Emulator;
let outbound: Awaited<ReturnType<typeof startOutboundChoicesApp>>;
let inbound: Awaited<ReturnType<typeof startInboundSpeechApp>>;
let lobby: Awaited<ReturnType<typeof startLobbyApp>>;
let agentDesk: Awaited<ReturnType<typeof startAgentDeskApp>>;
let roomsApp: Awaited<ReturnType<typeof startRoomsApp>>;
let queue: Awaited<ReturnType<typeof startQueueApp>>;
let desk: Awaited<ReturnType<typeof startDeskApp>>;
const logs: Record<string, AppLog> = {};

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

/** What a deployment would configure: connection string, public URL, AI endpoint, JWT checks. */
async function deployment(): Promise<AcsAppConfig> {
  const port = await freePort();
  return {
    connectionString: emulator.connectionString,
    callbackBaseUrl: `http://127.0.0.1:${port}`,
    cognitiveServicesEndpoint: emulator.cognitiveServicesEndpoint,
    callbackAuth: {
      // ACS's keys come over HTTPS; the emulator serves them on both of its ports.
      jwksUrl: `${emulator.httpsUrl}/calling/keys`,
      issuer: emulator.issuer,
      audience: emulator.audience,
    },
    port,
  };
}

/** Polls `check` until it returns something, or fails naming `what`. */
async function until<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 8000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The first event of this kind the app received that `where` picks. */
const event = <K extends CallAutomationEvent['kind']>(
  log: AppLog,
  kind: K,
  where: (e: Extract<CallAutomationEvent, { kind: K }>) => boolean,
) =>
  until(
    () =>
      log.events.find(
        (e): e is Extract<CallAutomationEvent, { kind: K }> => e.kind === kind && where(e as never),
      ),
    kind,
  );

/** What the people in the call heard, in order: the text of prompts, the URL of files. */
const heard = (call: CallDetail) =>
  call.timeline
    .filter((e) => e.kind === 'media' && Array.isArray(e.heard))
    .flatMap((e) => (e.heard as { text?: string; uri?: string }[]).map((s) => s.text ?? s.uri));

/** The people (not apps) connected in the call now. */
const peopleIn = (call: CallDetail) =>
  call.participants
    .filter((p) => !p.isApp && p.state === 'connected')
    .map((p) => p.rawId)
    .sort();

beforeAll(async () => {
  const dataDir = process.env.SWITCHBOARD_EMULATOR_TEST_TLS_DIR;
  if (!dataDir || !process.env.NODE_EXTRA_CA_CERTS) throw new Error('needs test/global-setup.ts');
  emulator = await startEmulator({
    https: true,
    dataDir,
    timeScale: 0.01,
    logLevel: 'silent',
    phoneNumbers: Object.values(LINES),
    // A compressed minute is 600 ms: a busy box may answer slower than that.
    callModel: { incomingRingTimeoutMs: 3_600_000, defaultInvitationTimeoutSeconds: 3600 },
  });
  outbound = await startOutboundChoicesApp({
    ...(await deployment()),
    callerIdNumber: LINES.outbound,
  });
  inbound = await startInboundSpeechApp({ ...(await deployment()), agentPhoneNumber: AGENT_PHONE });
  lobby = await startLobbyApp({ ...(await deployment()), holdMusicUrl: HOLD_MUSIC });
  agentDesk = await startAgentDeskApp({ ...(await deployment()), lobbyUrl: lobby.url });
  roomsApp = await startRoomsApp({ ...(await deployment()), callerIdNumber: LINES.rooms });
  queue = await startQueueApp({
    ...(await deployment()),
    desks: {
      one: { department: 'Sales', phoneNumber: LINES.sales },
      two: { department: 'Billing', phoneNumber: LINES.billing },
    },
  });
  desk = await startDeskApp(await deployment());
  Object.assign(logs, {
    outbound: outbound.log,
    inbound: inbound.log,
    lobby: lobby.log,
    agentDesk: agentDesk.log,
    rooms: roomsApp.log,
    queue: queue.log,
    desk: desk.log,
  });

  // Each app that takes calls subscribes its webhook to its own numbers only.
  for (const [app, to] of [
    [inbound, [LINES.support]],
    [lobby, [LINES.lobby]],
    [queue, [LINES.queue]],
    [desk, [LINES.sales, LINES.billing]],
  ] as const) {
    await emulator.control.addSubscription(`${app.url}/api/incomingCall`, {
      filter: { to: [...to] },
    });
  }
  await until(
    async () => (await emulator.control.subscriptions()).every((s) => s.status === 'validated'),
    'every subscription validated',
  );
});

afterAll(async () => {
  await Promise.all(
    [outbound, inbound, lobby, agentDesk, roomsApp, queue, desk].map((a) => a?.close()),
  );
  await emulator?.close();
});

/** Every app answered its callbacks as verified ACS callbacks and acted without an error. */
function expectHealthy(...names: string[]) {
  for (const name of names) {
    expect(logs[name]!.errors, `${name} errors`).toEqual([]);
    expect(logs[name]!.unauthenticated, `${name} turned callbacks away`).toEqual([]);
  }
}

describe('apps written for ACS run unmodified against the emulator', () => {
  it('the webhooks answered Event Grid’s validation handshake', () => {
    for (const app of [inbound, lobby, queue, desk]) expect(app.log.validations).toHaveLength(1);
  });

  it('1. outbound with choices recognition: a said phrase, a pressed tone, a retry', async () => {
    // Each customer answers once the menu has been read out (it takes about 9 s).
    const afterMenu = { on: 'recognize', afterMs: 11_000 } as const;
    const customers = [
      { phone: '+15550100001', script: [{ ...afterMenu, say: 'Keep it' }] },
      { phone: '+15550100002', script: [{ ...afterMenu, dtmf: '2' }] },
      // Says something that is no choice, then presses 1 at the second try.
      {
        phone: '+15550100003',
        script: [
          { ...afterMenu, say: 'What was that?' },
          { ...afterMenu, dtmf: '1' },
        ],
      },
    ];
    for (const c of customers) {
      await emulator.control.setEndpoint(c.phone, {
        onInvite: 'accept',
        ringMs: 2000,
        script: c.script,
      });
    }
    const ids = await Promise.all(customers.map((c) => outbound.callCustomer(c.phone)));

    const expected = [
      { label: 'Confirm', recognizedPhrase: 'Keep it', goodbye: outboundPrompts.confirmed },
      { label: 'Cancel', goodbye: outboundPrompts.cancelled },
      { label: 'Confirm', goodbye: outboundPrompts.confirmed, retried: true },
    ];
    for (const [i, id] of ids.entries()) {
      const { label, recognizedPhrase, goodbye, retried } = expected[i]!;
      const customer = customers[i]!.phone;
      await event(outbound.log, 'CallDisconnected', (e) => e.callConnectionId === id);
      const recognized = await event(
        outbound.log,
        'RecognizeCompleted',
        (e) => e.callConnectionId === id,
      );
      expect(recognized).toMatchObject({
        recognitionType: 'choices',
        choiceResult: { label, ...(recognizedPhrase ? { recognizedPhrase } : {}) },
        operationContext: 'AppointmentMenu',
      });
      expect(outbound.log.kinds(id)).toEqual([
        'CallConnected',
        'ParticipantsUpdated',
        ...(retried ? ['RecognizeFailed'] : []),
        'RecognizeCompleted',
        'PlayStarted',
        'PlayCompleted',
        'CallDisconnected',
      ]);
      if (retried) {
        const failed = await event(
          outbound.log,
          'RecognizeFailed',
          (e) => e.callConnectionId === id,
        );
        // "Recognized phrase does not match a valid option."
        expect(failed.resultInformation).toMatchObject({ code: 400, subCode: 8547 });
      }
      const call = await emulator.control.getCall(recognized.serverCallId);
      expect(heard(call)).toEqual([
        outboundPrompts.menu,
        ...(retried ? [outboundPrompts.retry] : []),
        goodbye,
      ]);
      // The customer's phone rang from the app's number, they answered; the app hung up.
      expect(call.timeline).toContainEqual(
        expect.objectContaining({
          kind: 'participant',
          rawId: `4:${customer}`,
          state: 'ringing',
          from: `4:${LINES.outbound}`,
        }),
      );
      expect(call.timeline).toContainEqual(
        expect.objectContaining({ kind: 'participant', rawId: `4:${customer}`, outcome: 'accept' }),
      );
      expect(call.state).toBe('disconnected');
    }
    expectHealthy('outbound');
  });

  it('2. inbound answer, speech recognition, transfer to an agent’s phone', async () => {
    const caller = '+15550200001';
    const said = 'I would like to talk to an agent please';
    await emulator.control.setEndpoint(AGENT_PHONE, { onInvite: 'accept', ringMs: 3000 });
    const placed = await emulator.control.placeCall({
      from: caller,
      to: LINES.support,
      // Said once the greeting (about 5 s) is over.
      script: [{ on: 'recognize', afterMs: 6000, say: said }],
    });
    const accepted = await event(
      inbound.log,
      'CallTransferAccepted',
      (e) => e.serverCallId === placed.serverCallId,
    );
    expect(accepted).toMatchObject({
      operationContext: 'TransferToAgent',
      // The SDK's parser leaves these two as the wire's identifier models.
      transferTarget: { rawId: `4:${AGENT_PHONE}` },
      transferee: { rawId: `4:${caller}` },
    });
    const id = accepted.callConnectionId;
    await event(inbound.log, 'CallDisconnected', (e) => e.callConnectionId === id);
    expect(inbound.log.of(id).find((e) => e.kind === 'RecognizeCompleted')).toMatchObject({
      recognitionType: 'speech',
      speechResult: { speech: said },
    });
    expect(inbound.log.incomingCalls.map((c) => c.serverCallId)).toEqual([placed.serverCallId]);

    // The caller is talking to the agent now; the app has left the call.
    const call = await emulator.control.getCall(placed.serverCallId);
    expect(call.state).toBe('connected');
    expect(peopleIn(call)).toEqual([`4:${caller}`, `4:${AGENT_PHONE}`].sort());
    expect(call.participants.filter((p) => p.isApp && p.state === 'connected')).toEqual([]);
    expect(heard(call)).toEqual([inboundPrompts.greeting, inboundPrompts.toAgent]);
    // The agent's phone showed the caller's number (a transfer presents the transferee).
    expect(call.timeline).toContainEqual(
      expect.objectContaining({
        rawId: `4:${AGENT_PHONE}`,
        state: 'ringing',
        invite: 'transfer',
        from: `4:${caller}`,
      }),
    );
    await emulator.control.hangup(placed.serverCallId, caller);
    expectHealthy('inbound');
  });

  it('3. lobby with moves: the waiting caller is moved into the agent’s call', async () => {
    const caller = '+15550300001';
    const identity = new CommunicationIdentityClient(emulator.connectionString);
    const agent = (await identity.createUser()).communicationUserId;
    // The agent takes a while to pick up: several turns of the (2 s) hold music.
    await emulator.control.setEndpoint(agent, { onInvite: 'accept', ringMs: 10_000 });

    const placed = await emulator.control.placeCall({ from: caller, to: LINES.lobby });
    // The caller is on hold music in the lobby.
    const holding = await event(
      lobby.log,
      'PlayStarted',
      (e) => e.serverCallId === placed.serverCallId && e.operationContext === 'HoldMusic',
    );
    const lobbyConnection = holding.callConnectionId;
    expect(lobby.waiting.map((w) => w.caller.rawId)).toEqual([`4:${caller}`]);

    const agentConnection = await agentDesk.callAgent(agent);
    const moved = await event(
      agentDesk.log,
      'MoveParticipantSucceeded',
      (e) => e.callConnectionId === agentConnection,
    );
    expect(moved).toMatchObject({
      operationContext: 'FromLobby',
      fromCall: lobbyConnection,
      participant: { phoneNumber: caller },
    });
    // The lobby call is over once its only caller left it, and nobody is waiting any more.
    const ended = await event(
      lobby.log,
      'CallDisconnected',
      (e) => e.callConnectionId === lobbyConnection,
    );
    expect(ended.resultInformation).toMatchObject({ code: 200, subCode: 5002 });
    // The music looped (it never completed) until the caller left.
    const music = lobby.log
      .of(lobbyConnection)
      .filter((e) => (e as { operationContext?: string }).operationContext === 'HoldMusic');
    expect(music.map((e) => e.kind)).toEqual(['PlayStarted']);
    expect(await (await fetch(`${lobby.url}/api/lobby`)).json()).toEqual([]);

    const lobbyCall = await emulator.control.getCall(placed.serverCallId);
    expect(lobbyCall.state).toBe('disconnected');
    expect(heard(lobbyCall)).toEqual([lobbyPrompts.welcome, HOLD_MUSIC]);

    await event(agentDesk.log, 'PlayCompleted', (e) => e.callConnectionId === agentConnection);
    const agentCall = await emulator.control.getCall(moved.serverCallId);
    expect(agentCall.state).toBe('connected');
    expect(peopleIn(agentCall)).toEqual([`4:${caller}`, agent].sort());
    expect(heard(agentCall)).toEqual([lobbyPrompts.connected]);
    await emulator.control.hangup(moved.serverCallId, caller);
    expectHealthy('lobby', 'agentDesk');
  });

  it('4. rooms with identities: a room that allows dial-out gets its phone, one that does not refuses', async () => {
    const guest = '+15550400001';
    await emulator.control.setEndpoint(guest, { onInvite: 'accept', ringMs: 2000 });
    const open = await roomsApp.startMeeting({ dialIn: guest, pstnDialOutEnabled: true });
    const closed = await roomsApp.startMeeting({
      dialIn: '+15550400002',
      pstnDialOutEnabled: false,
    });
    await until(() => open.dialOut && closed.dialOut, 'both dial-outs decided');
    expect(open.dialOut).toEqual({ outcome: 'added' });
    expect(closed.dialOut).toMatchObject({ outcome: 'refused', status: 403 });

    // The users and their tokens are the resource's; the room invites them in their roles.
    const users = (await emulator.control.users()).map((u) => u.id);
    for (const u of [...open.users, ...closed.users]) {
      expect(users).toContain(u.communicationUserId);
      expect(await emulator.control.verifyAccessToken(u.token)).toMatchObject({ valid: true });
    }
    expect(await roomsApp.invited(open.roomId)).toEqual(
      expect.arrayContaining(open.users.map((u) => ({ id: u.communicationUserId, role: u.role }))),
    );

    const added = roomsApp.log
      .of(open.callConnectionId!)
      .find((e) => e.kind === 'AddParticipantSucceeded')!;
    expect(added).toMatchObject({
      operationContext: 'DialIn',
      participant: { phoneNumber: guest },
    });
    const openCall = await emulator.control.getCall(added.serverCallId);
    expect(peopleIn(openCall)).toEqual([`4:${guest}`]);
    expect(openCall.timeline).toContainEqual(
      expect.objectContaining({ rawId: `4:${guest}`, state: 'ringing', from: `4:${LINES.rooms}` }),
    );
    const closedConnected = roomsApp.log
      .of(closed.callConnectionId!)
      .find((e) => e.kind === 'CallConnected')! as { serverCallId: string };
    const closedCall = await emulator.control.getCall(closedConnected.serverCallId);
    expect(closedCall.participants.map((p) => p.rawId)).not.toContain('4:+15550400002');
    expect(roomsApp.log.kinds(closed.callConnectionId!)).not.toContain('AddParticipantFailed');
    expectHealthy('rooms');
  });

  it('5. multi-app hand-off: the queue transfers to a desk number; the desk app serves the caller', async () => {
    const caller = '+15550500001';
    const placed = await emulator.control.placeCall({
      from: caller,
      to: LINES.queue,
      // 1 for sales at the queue's menu, then 1 for order status at the desk's.
      script: [
        { on: 'recognize', afterMs: 300, dtmf: '1' },
        { on: 'recognize', afterMs: 300, dtmf: '1' },
      ],
    });
    const offer = await until(
      () => desk.log.incomingCalls.find((c) => c.serverCallId === placed.serverCallId),
      'IncomingCall at the desk app',
    );
    expect(offer).toMatchObject({
      to: { rawId: `4:${LINES.sales}` },
      from: { rawId: `4:${caller}` },
      customContext: { sipHeaders: { 'X-MS-Custom-Department': 'Sales' } },
    });
    const accepted = await event(
      queue.log,
      'CallTransferAccepted',
      (e) => e.serverCallId === placed.serverCallId,
    );
    expect(accepted).toMatchObject({
      operationContext: 'ToSales',
      transferTarget: { rawId: `4:${LINES.sales}` },
      transferee: { rawId: `4:${caller}` },
    });
    const recognized = await event(
      desk.log,
      'RecognizeCompleted',
      (e) => e.serverCallId === placed.serverCallId,
    );
    expect(recognized).toMatchObject({ dtmfResult: { tones: ['one'] } });
    await event(desk.log, 'CallDisconnected', (e) => e.serverCallId === placed.serverCallId);
    await event(queue.log, 'CallDisconnected', (e) => e.serverCallId === placed.serverCallId);

    // Each app heard only of calls to its own numbers.
    expect(queue.log.incomingCalls.map((c) => c.to.rawId)).toEqual([`4:${LINES.queue}`]);
    expect(desk.log.incomingCalls.map((c) => c.to.rawId)).toEqual([`4:${LINES.sales}`]);

    // One call from start to end: the caller heard the queue, then the desk.
    const call = await emulator.control.getCall(placed.serverCallId);
    expect(heard(call)).toEqual([
      queuePrompts.menu,
      queuePrompts.transferring,
      deskPrompts.menu('Sales'),
      deskPrompts.orderStatus,
    ]);
    expect(call.connections.map((c) => new URL(c.callbackUri).origin)).toEqual([
      new URL(queue.url).origin,
      new URL(desk.url).origin,
    ]);
    expect(call.state).toBe('disconnected');
    expectHealthy('queue', 'desk');
  });

  it('an app turns away a callback without ACS’s token', async () => {
    const res = await fetch(`${inbound.url}/api/callbacks/forged`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    });
    expect(res.status).toBe(401);
    expect(inbound.log.unauthenticated).toEqual(['/api/callbacks/forged']);
    expect(inbound.log.events.filter((e) => e.kind === 'CallConnected')).toHaveLength(1);
  });
});
