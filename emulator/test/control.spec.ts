import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUSINESS_NUMBER,
  CALLER,
  answeredCall,
  harness,
  incomingCall,
  type Harness,
} from './helpers.js';

const run = promisify(execFile);
const emulatorDir = fileURLToPath(new URL('..', import.meta.url));

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe('caller scripts', () => {
  it('hangs up at a given moment after connecting', async () => {
    const c = await answeredCall(h, [{ on: 'connected', afterMs: 3000, hangup: true }]);
    await h.receiver.waitForKinds(c.id, ['CallDisconnected']);
    expect(h.receiver.kinds(c.id)).toEqual([
      'CallConnected',
      'ParticipantsUpdated',
      'CallDisconnected',
    ]);
  });

  it('abandons while ringing, after which answering fails with 8522', async () => {
    const incoming = await incomingCall(h, CALLER, BUSINESS_NUMBER, [
      { on: 'ringing', afterMs: 0, hangup: true },
    ]);
    await h.receiver.waitFor(
      async () =>
        (await h.emulator.control.getCall(incoming.serverCallId)).state === 'disconnected',
    );
    await expect(
      h.client.answerCall(incoming.data.incomingCallContext, h.callbackUri),
    ).rejects.toMatchObject({
      statusCode: 404,
      code: '8522',
    });
  });

  it('an endpoint script set with PUT /emulator/endpoints runs when that endpoint joins', async () => {
    const c = await answeredCall(h);
    const agent = '+15558880001';
    await h.emulator.control.setEndpoint(agent, {
      onInvite: 'accept',
      ringMs: 100,
      script: [{ on: 'connected', afterMs: 500, hangup: true }],
    });
    await c.connection.addParticipant({
      targetParticipant: { phoneNumber: agent },
      sourceCallIdNumber: { phoneNumber: BUSINESS_NUMBER },
    });
    await h.receiver.waitFor(
      () => h.receiver.kinds(c.id).filter((k) => k === 'ParticipantsUpdated').length >= 3,
    );
    const last = h.receiver.callbacks(c.id).at(-1)!.data.participants as {
      identifier: { rawId: string };
    }[];
    expect(last.map((p) => p.identifier.rawId)).not.toContain(`4:${agent}`);
  });
});

describe('control API', () => {
  it('records a full timeline per call and lists recent calls', async () => {
    const c = await answeredCall(h);
    await c.connection.getCallMedia().playToAll([{ kind: 'textSource', text: 'Welcome' }]);
    await h.receiver.waitForKinds(c.id, ['PlayCompleted']);
    await c.connection.hangUp(true);
    await h.receiver.waitForKinds(c.id, ['CallDisconnected']);
    const detail = await h.emulator.control.getCall(c.serverCallId);
    const kinds = new Set(detail.timeline.map((e) => e.kind));
    expect([...kinds]).toEqual(
      expect.arrayContaining(['call', 'eventGrid', 'request', 'callback', 'participant', 'media']),
    );
    const requests = detail.timeline.filter((e) => e.kind === 'request');
    expect(requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/calling/callConnections:answer', 200],
      ['POST', `/calling/callConnections/${c.id}:play`, 202],
      ['POST', `/calling/callConnections/${c.id}:terminate`, 204],
    ]);
    const delivered = detail.timeline.filter(
      (e) => e.kind === 'callback' && (e.status === 200 || e.status === 204),
    );
    expect(delivered.length).toBeGreaterThan(0);
    const recent = await h.emulator.control.listCalls(5);
    expect(recent[0]!.serverCallId).toBe(c.serverCallId);
  });

  it('streams everything as Server-Sent Events', async () => {
    const ac = new AbortController();
    const res = await fetch(`${h.emulator.url}/emulator/stream`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const placed = await h.emulator.control.placeCall({ from: CALLER, to: BUSINESS_NUMBER });
    let text = '';
    while (!text.includes(placed.serverCallId) || !text.includes('event: eventGrid')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ac.abort();
    expect(text).toContain('event: hello');
    expect(text).toContain('event: call');
    expect(text).toContain('event: eventGrid');
  });

  it('the CLI places a call, presses digits and hangs up through the control API', async () => {
    // Real time here: spawning the CLI takes longer than a compressed recognize timeout.
    const rt = await harness({ timeScale: 1 });
    try {
      const cli = (...args: string[]) =>
        run(
          process.execPath,
          ['--import', 'tsx', 'src/cli.ts', ...args, '--emulator', rt.emulator.url],
          {
            cwd: emulatorDir,
          },
        );
      const { stdout } = await cli('call', '--from', '+15554443333', '--to', BUSINESS_NUMBER);
      const placed = JSON.parse(stdout) as { serverCallId: string; incomingCallContext: string };
      await rt.receiver.waitFor(() =>
        rt.receiver.eventGrid().find((r) => JSON.stringify(r.body).includes(placed.serverCallId)),
      );
      const answer = await rt.client.answerCall(placed.incomingCallContext, rt.callbackUri);
      const id = answer.callConnectionProperties.callConnectionId!;
      await rt.receiver.waitForKinds(id, ['CallConnected']);
      await answer.callConnection.getCallMedia().startRecognizing(
        { phoneNumber: '+15554443333' },
        {
          kind: 'callMediaRecognizeDtmfOptions',
          maxTonesToCollect: 2,
          initialSilenceTimeoutInSeconds: 60,
        },
      );
      await cli('dtmf', placed.serverCallId, '42');
      await rt.receiver.waitForKinds(id, ['RecognizeCompleted']);
      expect(rt.receiver.callbacks(id).at(-1)!.data.dtmfResult).toEqual({ tones: ['four', 'two'] });
      await cli('hangup', placed.serverCallId);
      await rt.receiver.waitForKinds(id, ['CallDisconnected']);
    } finally {
      await rt.close();
    }
  });
});

describe('the control API and browsers', () => {
  it('refuses requests other sites make through a browser; tools are unaffected', async () => {
    const h = await harness();
    try {
      const base = `${h.emulator.url}/emulator/calls`;
      const body = JSON.stringify({ from: '+15551230099', to: '+18005550100' });
      const headers = { 'content-type': 'application/json' };
      const evil = await fetch(base, {
        method: 'POST',
        headers: { ...headers, origin: 'https://evil.example' },
        body,
      });
      expect(evil.status).toBe(403);
      const cross = await fetch(base, {
        method: 'POST',
        headers: { ...headers, 'sec-fetch-site': 'cross-site' },
        body,
      });
      expect(cross.status).toBe(403);
      expect((await fetch(base, { method: 'POST', headers, body })).status).toBe(201);
    } finally {
      await h.close();
    }
  });

  it('shows the access key only when asked for it explicitly, from this machine', async () => {
    const h = await harness();
    try {
      const plain = (await (await fetch(`${h.emulator.url}/emulator`)).json()) as {
        connectionString: string;
      };
      expect(plain.connectionString).toMatch(/accesskey=\*\*\*$/);
      const asked = (await (await fetch(`${h.emulator.url}/emulator?secrets=1`)).json()) as {
        connectionString: string;
      };
      expect(asked.connectionString).toBe(h.emulator.connectionString);
    } finally {
      await h.close();
    }
  });
});
