import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AcsAction } from '@switchboard/flow';
import { type Emulator, startEmulator } from '@switchboard/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcsGateway } from '../src/acs/acs.gateway.js';
import { loadConfig } from '../src/config/config.js';

/**
 * ACS refuses text-to-speech and speech recognition on a call with no Cognitive Services
 * resource linked at call set-up: the gateway links ACS_COGNITIVE_SERVICES_ENDPOINT on every
 * call it answers or places. Checked against the emulator, which refuses as ACS does.
 */
let emulator: Emulator;
let app: http.Server;
let appUrl = '';

beforeAll(async () => {
  // Where the emulator posts the calls' callbacks: answered, and otherwise ignored here.
  app = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  emulator = await startEmulator({ timeScale: 0.01, logLevel: 'silent' });
});
afterAll(async () => {
  await emulator?.close();
  app?.closeAllConnections();
  app?.close();
});

const gateway = (env: Record<string, string> = {}) =>
  new AcsGateway(
    loadConfig({
      ACS_CONNECTION_STRING: emulator.httpConnectionString,
      ACS_CALLBACK_BASE_URL: appUrl,
      ACS_JWKS_URL: emulator.jwksUrl,
      ACS_CALLBACK_AUDIENCE: emulator.audience,
      ACS_EVENTGRID_SECRET: 'event-grid-secret-for-tests',
      ACS_MAX_RETRIES: '0',
      ...env,
    }),
  );

let n = 0;
const action = <K extends AcsAction['kind']>(
  kind: K,
  fields: Omit<Extract<AcsAction, { kind: K }>, 'id' | 'operationContext' | 'nodeId' | 'kind'>,
) =>
  ({
    id: `a:${++n}`,
    operationContext: `op-${n}`,
    nodeId: 'n',
    kind,
    ...fields,
  }) as unknown as AcsAction;

/** An inbound call answered through the gateway, once the emulator says it is connected. */
async function answered(g: AcsGateway): Promise<string> {
  const placed = await emulator.control.placeCall({ from: '+15551230001', to: '+18005550100' });
  const out = await g.send(
    action('answerCall', { incomingCallContext: placed.incomingCallContext }),
    '',
    Date.now(),
  );
  if (!out.ok) throw new Error(`answer failed: ${out.code} ${out.message}`);
  const id = (out.result as { callConnectionId: string }).callConnectionId;
  for (let i = 0; i < 200; i++) {
    const call = await emulator.control.getCall(placed.serverCallId);
    if (call.connections.some((c) => c.callConnectionId === id && c.state === 'connected')) {
      return id;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the answered call never connected');
}

const tts = () => action('play', { sources: [{ kind: 'text', text: 'Welcome.' }], playTo: [] });

describe('ACS_COGNITIVE_SERVICES_ENDPOINT', () => {
  it('is linked on the calls the gateway answers and places, so text prompts play', async () => {
    const g = gateway({ ACS_COGNITIVE_SERVICES_ENDPOINT: emulator.cognitiveServicesEndpoint });
    try {
      const id = await answered(g);
      expect(await g.send(tts(), id, Date.now())).toEqual({ ok: true });

      const created = await g.send(
        action('createCall', { targets: ['+15557654321'], callerId: '+18005550100' }),
        '',
        Date.now(),
      );
      expect(created).toMatchObject({ ok: true });
      const calls = await emulator.control.listCalls(5);
      const createdCall = calls.find((c) =>
        c.connections.some(
          (x) =>
            x.callConnectionId ===
            (created as { result: { callConnectionId: string } }).result.callConnectionId,
        ),
      )!;
      const request = (await emulator.control.getCall(createdCall.serverCallId)).timeline.find(
        (e) => e.kind === 'request' && e.path === '/calling/callConnections',
      );
      expect(request?.body).toMatchObject({
        callIntelligenceOptions: { cognitiveServicesEndpoint: emulator.cognitiveServicesEndpoint },
      });
    } finally {
      await g.onModuleDestroy();
    }
  });

  it('without it, ACS refuses a text prompt (405/8522, not retryable) while audio files play', async () => {
    const g = gateway();
    try {
      const id = await answered(g);
      expect(await g.send(tts(), id, Date.now())).toMatchObject({
        ok: false,
        status: 405,
        code: '8522',
        retryable: false,
      });
      const file = action('play', {
        sources: [{ kind: 'file', url: 'https://media.example/hello.wav' }],
        playTo: [],
      });
      expect(await g.send(file, id, Date.now())).toEqual({ ok: true });
    } finally {
      await g.onModuleDestroy();
    }
  });

  it('must be an https URL', () => {
    expect(() => loadConfig({ ACS_COGNITIVE_SERVICES_ENDPOINT: 'http://speech.example/' })).toThrow(
      /ACS_COGNITIVE_SERVICES_ENDPOINT: must be an https URL/,
    );
    expect(
      loadConfig({ ACS_COGNITIVE_SERVICES_ENDPOINT: 'https://speech.example/' }).acs
        .cognitiveServicesEndpoint,
    ).toBe('https://speech.example/');
  });
});
