import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUSINESS_NUMBER,
  CALLER,
  Receiver,
  answeredCall,
  httpsHarness,
  incomingCall,
  type Harness,
} from './helpers.js';
import { startEmulator } from '../src/index.js';

const run = promisify(execFile);
const emulatorDir = fileURLToPath(new URL('..', import.meta.url));

/** An unmodified app: a connection string, no allowInsecureConnection. */
const appScript = `
import { CallAutomationClient } from '@azure/communication-call-automation';
const [connectionString, context, callbackUri] = process.argv.slice(1);
const client = new CallAutomationClient(connectionString, { retryOptions: { maxRetries: 0 } });
try {
  const r = await client.answerCall(context, callbackUri);
  console.log(JSON.stringify({ ok: true, id: r.callConnectionProperties.callConnectionId }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e.message ?? e), code: e.code }));
}
`;

let dataDir: string;
let h: Harness;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'acs-emulator-https-'));
  const receiver = await new Receiver().start();
  const emulator = await startEmulator({
    https: true,
    dataDir,
    timeScale: 0.01,
    logLevel: 'silent',
    callModel: { incomingRingTimeoutMs: 3_600_000 },
    eventGridSubscribers: [`${receiver.url}/api/acs/events`],
  });
  h = {
    emulator,
    receiver,
    client: undefined as never,
    callbackUri: `${receiver.url}/callbacks`,
    close: async () => {
      await emulator.close();
      await receiver.close();
    },
  };
});
afterAll(async () => {
  await h.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function app(env: NodeJS.ProcessEnv, context: string) {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', appScript, h.emulator.connectionString, context, h.callbackUri],
    { cwd: emulatorDir, env },
  );
  return JSON.parse(stdout.trim()) as { ok: boolean; id?: string; error?: string };
}

describe('HTTPS', () => {
  it('keeps a self-signed certificate in the data folder and uses https in the connection string', async () => {
    expect(h.emulator.httpsUrl).toMatch(/^https:\/\/localhost:\d+$/);
    expect(h.emulator.connectionString).toBe(
      `endpoint=${h.emulator.httpsUrl}/;accesskey=${h.emulator.accessKey}`,
    );
    expect(h.emulator.caCertPath?.startsWith(dataDir)).toBe(true);
    expect((await stat(h.emulator.caCertPath!)).isFile()).toBe(true);
  });

  it('an unmodified SDK app answers a call over HTTPS with NODE_EXTRA_CA_CERTS', async () => {
    const incoming = await incomingCall(h, CALLER, BUSINESS_NUMBER);
    const res = await app(
      { ...process.env, NODE_EXTRA_CA_CERTS: h.emulator.caCertPath },
      incoming.data.incomingCallContext,
    );
    expect(res).toMatchObject({ ok: true });
    await h.receiver.waitForKinds(res.id!, ['CallConnected', 'ParticipantsUpdated']);
  });

  it('without the CA the same app is refused by TLS', async () => {
    const incoming = await incomingCall(h, CALLER, BUSINESS_NUMBER);
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const res = await app(env, incoming.data.incomingCallContext);
    expect(res.ok).toBe(false);
    expect(res.error).toMatch(/certificate/i);
  });

  it('reuses the certificate on the next start', async () => {
    const before = await readFile(h.emulator.caCertPath!, 'utf8');
    const again = await startEmulator({ https: true, dataDir, logLevel: 'silent' });
    try {
      expect(again.caCertPath).toBe(h.emulator.caCertPath);
      expect(await readFile(again.caCertPath!, 'utf8')).toBe(before);
    } finally {
      await again.close();
    }
  });
});

describe('the in-process HTTPS harness', () => {
  it('answers a call with the unmodified SDK over HTTPS, trusting the certificate by NODE_EXTRA_CA_CERTS', async () => {
    const hs = await httpsHarness();
    try {
      expect(hs.emulator.connectionString).toMatch(/^endpoint=https:\/\/localhost:\d+\//);
      const { id } = await answeredCall(hs);
      const props = await hs.client.getCallConnection(id).getCallConnectionProperties();
      expect(props.callConnectionState).toBe('connected');
    } finally {
      await hs.close();
    }
  });
});
