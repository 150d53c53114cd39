import { type FlowDocument, defaultConfig } from '@switchboard/flow';
import { type Emulator, startEmulator, type EmulatorOptions } from '@switchboard/emulator';
import { afterAll, beforeAll } from 'vitest';
import { type TestEngine, useEngine } from './engine.js';

/** Emulated time runs 100× faster: a 5 s recognize timeout takes 50 ms. */
export const TIME_SCALE = 0.01;

/** What the helpers below need of an engine: its API (an in-process test engine or a child process). */
export type Api = Pick<TestEngine, 'json'>;

export interface CallHarness {
  t: TestEngine;
  emulator: Emulator;
}

/**
 * The emulator (real HTTP, signed callbacks, Event Grid subscription) wired to a test engine,
 * both on loopback, emulated time 100× faster.
 */
export function useCallHarness(
  options: { emulator?: EmulatorOptions; env?: Record<string, string> } = {},
): CallHarness {
  const env: Record<string, string> = {};
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({
      timeScale: TIME_SCALE,
      logLevel: 'error',
      // The resource owns the flows' caller id; each test buys the numbers it binds
      // (ownedNumber). Every other number — transfer and add targets, the people outbound flows
      // call — is someone else's, a simulated phone.
      phoneNumbers: [CALLER_ID],
      callbackDelivery: {
        retryDelaysMs: [1000, 2000, 4000, 8000, 16000, 32000, 64000],
        timeoutMs: 5000,
      },
      ...options.emulator,
    });
    Object.assign(env, emulatorEnv(emulator), options.env);
  });
  const t = useEngine(env);
  beforeAll(async () => {
    await emulator!.control.addSubscription(eventsUrl(t.url));
    await waitFor(async () => {
      const subs = await emulator!.control.subscriptions();
      return subs.every((s) => s.status === 'validated');
    }, 'event grid subscription validated');
  });
  afterAll(async () => {
    await emulator?.close();
  });
  return {
    t,
    get emulator() {
      if (!emulator) throw new Error('emulator not started');
      return emulator;
    },
  };
}

/** The Event Grid secret test engines are started with (deliveries carry it in the URL). */
export const EVENT_GRID_SECRET = 'event-grid-secret-for-the-tests';

/** Where an engine at `base` takes Event Grid deliveries, secret included. */
export const eventsUrl = (base: string) =>
  `${base}/api/acs/events?secret=${encodeURIComponent(EVENT_GRID_SECRET)}`;

/** Engine settings that point it at an emulator, scaled like the emulator's time. */
export function emulatorEnv(emulator: Emulator): Record<string, string> {
  return {
    ACS_EVENTGRID_SECRET: EVENT_GRID_SECRET,
    ACS_CONNECTION_STRING: emulator.httpConnectionString,
    ACS_JWKS_URL: emulator.jwksUrl,
    ACS_CALLBACK_ISSUER: emulator.issuer,
    ACS_CALLBACK_AUDIENCE: emulator.audience,
    ACS_COGNITIVE_SERVICES_ENDPOINT: emulator.cognitiveServicesEndpoint,
    SWITCHBOARD_TIME_SCALE: String(emulator.timeScale),
    SWITCHBOARD_WAIT_MARGIN_MS: '300',
    SWITCHBOARD_RECONCILE_INTERVAL_MS: '100',
    SWITCHBOARD_OUTBOX_INTERVAL_MS: '200',
    SWITCHBOARD_OUTBOX_GRACE_MS: '1000',
    ACS_MAX_RETRIES: '0',
  };
}

export async function waitFor<T>(
  check: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A document node; `typeVersion` left out means version 1, as in every document stored before versions. */
export const node = (
  id: string,
  type: string,
  config: Record<string, unknown> = {},
  typeVersion?: number,
) => ({
  id,
  type,
  ...(typeVersion !== undefined ? { typeVersion } : {}),
  position: { x: 0, y: 0 },
  config: { ...(defaultConfig(type, typeVersion) ?? {}), ...config },
});

let edgeN = 0;
export const edge = (source: string, sourceOutcome: string, target: string) => ({
  id: `e${++edgeN}`,
  source,
  sourceOutcome,
  target,
});

export const SALES = '+14255550100';
export const SUPPORT =
  '8:acs:11111111-1111-1111-1111-111111111111_00000020-0000-0000-0000-000000000002';
export const OPERATOR = '+14255550199';
export const CALLER_ID = '+18005550100';

/** answer → menu: 1 transfer, 2 add participant (→ play → hang up), 3 hang up; no input → play → hang up. */
export function ivrFlow(greeting = 'Welcome'): FlowDocument {
  return {
    schemaVersion: 1,
    name: 'Test IVR',
    nodes: [
      node('start', 'trigger.incomingCall'),
      node('answer', 'call.answer'),
      node('menu', 'media.menu', {
        prompt: `${greeting}. For sales press 1, support 2, goodbye 3.`,
        choices: [
          { digit: '1', label: 'Sales' },
          { digit: '2', label: 'Support' },
          { digit: '3', label: 'Goodbye' },
        ],
        retries: 0,
      }),
      node('sales', 'call.transfer', { target: SALES }),
      node('support', 'call.addParticipant', { target: SUPPORT, invitationTimeoutSeconds: 20 }),
      node('connected', 'media.play', { text: 'You are connected to support.' }),
      node('goodbye', 'media.play', { text: 'Goodbye.' }),
      node('sorry', 'media.play', { text: 'Sorry, nobody can take your call.' }),
      node('hangUp', 'call.hangUp', { forEveryone: true }),
      node('leave', 'call.hangUp', { forEveryone: false }),
    ],
    edges: [
      edge('start', 'next', 'answer'),
      edge('answer', 'connected', 'menu'),
      edge('menu', 'choice:1', 'sales'),
      edge('menu', 'choice:2', 'support'),
      edge('menu', 'choice:3', 'goodbye'),
      edge('menu', 'noInput', 'goodbye'),
      edge('menu', 'invalid', 'goodbye'),
      edge('menu', 'failed', 'hangUp'),
      edge('sales', 'failed', 'sorry'),
      edge('support', 'added', 'connected'),
      edge('support', 'failed', 'sorry'),
      edge('connected', 'completed', 'leave'),
      edge('connected', 'failed', 'leave'),
      edge('goodbye', 'completed', 'hangUp'),
      edge('goodbye', 'failed', 'hangUp'),
      edge('sorry', 'completed', 'hangUp'),
      edge('sorry', 'failed', 'hangUp'),
    ],
  };
}

export function redirectFlow(): FlowDocument {
  return {
    schemaVersion: 1,
    name: 'Redirect',
    nodes: [
      node('start', 'trigger.incomingCall'),
      node('redirect', 'call.redirect', { target: OPERATOR }),
    ],
    edges: [edge('start', 'next', 'redirect')],
  };
}

export function reminderFlow(): FlowDocument {
  return {
    schemaVersion: 1,
    name: 'Reminder',
    nodes: [
      node('call', 'trigger.outboundCall', {
        callerId: CALLER_ID,
        variables: [{ name: 'patientName', value: 'there' }],
      }),
      node('ask', 'media.menu', {
        prompt: 'Hello {{ vars.patientName }}. Press 1 to confirm, 2 to cancel.',
        choices: [
          { digit: '1', label: 'Confirm' },
          { digit: '2', label: 'Cancel' },
        ],
        retries: 0,
      }),
      node('confirmed', 'media.play', { text: 'Confirmed, {{ vars.patientName }}.' }),
      node('cancelled', 'media.play', { text: 'Cancelled.' }),
      node('hangUp', 'call.hangUp', { forEveryone: true }),
    ],
    edges: [
      edge('call', 'connected', 'ask'),
      edge('ask', 'choice:1', 'confirmed'),
      edge('ask', 'choice:2', 'cancelled'),
      edge('confirmed', 'completed', 'hangUp'),
      edge('cancelled', 'completed', 'hangUp'),
    ],
  };
}

/** Creates and publishes a flow; returns its id and version. */
export async function publish(
  t: Api,
  doc: FlowDocument,
  flowId?: string,
): Promise<{ flowId: string; version: number }> {
  let id = flowId;
  if (!id) {
    const created = await t.json('POST', '/api/flows', { body: { name: doc.name, document: doc } });
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    id = created.body.id as string;
  } else {
    const current = await t.json('GET', `/api/flows/${id}`);
    const saved = await t.json('PUT', `/api/flows/${id}/draft`, {
      body: doc,
      headers: { 'if-match': String(current.body.revision ?? current.body.draftRevision) },
    });
    if (saved.status !== 200) throw new Error(JSON.stringify(saved.body));
  }
  const published = await t.json('POST', `/api/flows/${id}/publish`, { body: {} });
  if (published.status !== 201) throw new Error(JSON.stringify(published.body));
  return { flowId: id, version: published.body.version as number };
}

export async function bind(t: Api, address: string, flowId: string, version?: number) {
  const r = await t.json('PUT', `/api/entry-points/${encodeURIComponent(address)}`, {
    body: { flowId, ...(version ? { version } : {}) },
  });
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
}

let numberSeq = 0;
/** A fresh E.164 number per test so runs never mix. */
export const freshNumber = () =>
  `+1800${String(process.pid % 1000).padStart(3, '0')}${String(++numberSeq).padStart(4, '0')}`;

/**
 * A fresh number the emulated ACS resource owns, as if bought: flows are bound to it and callers
 * dial it (the emulator refuses calls to numbers the resource does not own). Transfer and add
 * targets stay plain fresh numbers — not the resource's, they ring simulated phones.
 */
export async function ownedNumber(emulator: Emulator): Promise<string> {
  const number = freshNumber();
  await emulator.control.addPhoneNumber(number);
  return number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read JSON
type Json = any;

/** The run whose call went to `to`, once it satisfies `until` (default: ended). */
export async function runFor(t: Api, number: string, until = (r: Json) => r.status === 'ended') {
  return waitFor(async () => {
    const list = await t.json('GET', `/api/runs?number=${encodeURIComponent(number)}`);
    const item = list.body.items?.[0];
    if (!item) return undefined;
    const run = await t.json('GET', `/api/runs/${item.id}`);
    return until(run.body) ? run.body : undefined;
  }, `run for ${number}`);
}

/** ACS requests the emulator received for a call (not counting repeatability replays). */
export async function acsRequests(emulator: Emulator, serverCallId: string) {
  const call = await emulator.control.getCall(serverCallId);
  return call.timeline
    .filter((e) => e.kind === 'request' && !e.replayed && e.method !== 'GET')
    .map((e) => ({
      path: String(e.path)
        .replace(/^\/calling\/callConnections\/[^/:]+/, '{id}')
        .replace(/^\/calling\/callConnections/, ''),
      status: e.status as number,
      operationContext: (e.body as { operationContext?: string } | undefined)?.operationContext,
    }));
}
