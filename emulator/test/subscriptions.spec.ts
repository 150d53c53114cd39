import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlError, startEmulator, type Emulator } from '../src/index.js';
import { parseSubscriberSpec } from '../src/event-grid-filters.js';
import { BUSINESS_NUMBER, CALLER, Receiver } from './helpers.js';

/** Event Grid subscriptions with filters, and in the CloudEvents 1.0 schema. */
let r: Receiver;
let em: Emulator;
beforeAll(async () => {
  r = await new Receiver().start();
  em = await startEmulator({ timeScale: 0.01, logLevel: 'silent' });
});
afterAll(async () => {
  await em.close();
  await r.close();
});

const OTHER_NUMBER = '+18005550101';

const validated = (url: string) =>
  r.waitFor(
    async () =>
      (await em.control.subscriptions()).find((s) => s.url === url)?.status === 'validated',
    5000,
    `${url} validated`,
  );

describe('a CloudEvents 1.0 subscription', () => {
  it('validates by the OPTIONS handshake, then receives CloudEvents batches', async () => {
    const url = `${r.url}/ce/events`;
    // The first handshake gets no consent (204): nothing may be delivered until it does.
    r.statusPlan.set('/ce/', [204]);
    const sub = await em.control.addSubscription(url, { schema: 'CloudEventSchemaV1_0' });
    expect(sub).toMatchObject({ url, schema: 'CloudEventSchemaV1_0', status: 'validating' });
    const placed = await em.control.placeCall({
      from: CALLER,
      to: BUSINESS_NUMBER,
      callerDisplayName: 'Ada',
    });
    await validated(url);
    const delivery = await r.waitFor(() => r.eventGrid(undefined, '/ce/')[0], 5000, 'CloudEvent');
    const seen = r.requests.filter((q) => q.path === '/ce/events');
    // OPTIONS refused, OPTIONS consented, and only then the delivery.
    expect(seen.map((q) => q.method)).toEqual(['OPTIONS', 'OPTIONS', 'POST']);
    expect(seen[0]!.headers['webhook-request-origin']).toBe('eventgrid.azure.net');
    expect(delivery.headers['content-type']).toMatch(/^application\/cloudevents-batch\+json/);
    const [event] = delivery.body as Record<string, unknown>[];
    expect(Object.keys(event!).sort()).toEqual(
      ['data', 'id', 'source', 'specversion', 'subject', 'time', 'type'].sort(),
    );
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'Microsoft.Communication.IncomingCall',
      source: expect.stringMatching(
        /\/providers\/Microsoft\.Communication\/communicationServices\//,
      ),
      subject: `/caller/4:${CALLER}/recipient/4:${BUSINESS_NUMBER}`,
      data: {
        serverCallId: placed.serverCallId,
        incomingCallContext: placed.incomingCallContext,
        callerDisplayName: 'Ada',
      },
    });
    expect(Number.isNaN(Date.parse(event!.time as string))).toBe(false);
    // The Event Grid schema's handshake never happened on this URL.
    expect(
      r.requests.filter(
        (q) => q.path === '/ce/events' && q.headers['aeg-event-type'] === 'SubscriptionValidation',
      ),
    ).toEqual([]);
  });
});

describe('filters', () => {
  it('a subscription filtered to one number never sees calls to another', async () => {
    const mine = `${r.url}/mine/events`;
    const theirs = `${r.url}/theirs/events`;
    await em.control.addSubscription(mine, { filter: { to: [OTHER_NUMBER] } });
    await em.control.addSubscription(theirs, { filter: { to: [`4:${BUSINESS_NUMBER}`] } });
    await validated(mine);
    await validated(theirs);
    const toMine = await em.control.placeCall({ from: CALLER, to: OTHER_NUMBER });
    const toTheirs = await em.control.placeCall({ from: CALLER, to: BUSINESS_NUMBER });
    await r.waitFor(
      () => r.incomingCalls('/mine/').length === 1 && r.incomingCalls('/theirs/').length === 1,
    );
    expect(r.incomingCalls('/mine/').map((d) => d.serverCallId)).toEqual([toMine.serverCallId]);
    expect(r.incomingCalls('/theirs/').map((d) => d.serverCallId)).toEqual([toTheirs.serverCallId]);
    // The timeline says why a subscriber did not get it.
    const timeline = (await em.control.getCall(toMine.serverCallId)).timeline;
    expect(timeline.find((e) => e.kind === 'eventGrid' && e.url === theirs)).toMatchObject({
      filtered: true,
    });
  });

  it('advanced filters and event types work as Event Grid evaluates them', async () => {
    const local = `${r.url}/local/events`;
    const none = `${r.url}/none/events`;
    await em.control.addSubscription(local, {
      filter: {
        advancedFilters: [
          { operatorType: 'StringBeginsWith', key: 'data.from.rawId', values: ['4:+1555'] },
          { operatorType: 'StringNotIn', key: 'data.callerDisplayName', values: ['SPAM'] },
        ],
      },
    });
    await em.control.addSubscription(none, {
      filter: { includedEventTypes: ['Microsoft.Communication.RecordingFileStatusUpdated'] },
    });
    await validated(local);
    await validated(none);
    const ok = await em.control.placeCall({ from: '+15559990001', to: BUSINESS_NUMBER });
    await em.control.placeCall({ from: '+14259990001', to: BUSINESS_NUMBER });
    // Case does not matter, as in Event Grid.
    await em.control.placeCall({
      from: '+15559990002',
      to: BUSINESS_NUMBER,
      callerDisplayName: 'spam',
    });
    const last = await em.control.placeCall({ from: '+15559990003', to: BUSINESS_NUMBER });
    await r.waitFor(() => r.incomingCalls('/local/').length >= 2, 5000, 'two local calls');
    expect(r.incomingCalls('/local/').map((d) => d.serverCallId)).toEqual([
      ok.serverCallId,
      last.serverCallId,
    ]);
    expect(r.incomingCalls('/none/')).toEqual([]);
  });

  it('refuses a bad filter or schema naming the field; the same URL again replaces it', async () => {
    const bad = (body: Record<string, unknown>) =>
      fetch(`${em.url}/emulator/subscriptions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${r.url}/bad/events`, ...body }),
      }).then(async (res) => ({
        status: res.status,
        body: (await res.json()) as { error: { message: string } },
      }));
    const op = await bad({
      filter: { advancedFilters: [{ operatorType: 'NumberIn', key: 'data.x', values: ['1'] }] },
    });
    expect(op.status).toBe(400);
    expect(op.body.error.message).toContain('operatorType');
    const to = await bad({ filter: { to: ['not a number'] } });
    expect(to.status).toBe(400);
    expect(to.body.error.message).toContain("'filter.to'");
    const schema = await bad({ schema: 'xml' });
    expect(schema.status).toBe(400);
    expect(schema.body.error.message).toContain("'schema'");

    const url = `${r.url}/again/events`;
    await em.control.addSubscription(url, { filter: { to: [BUSINESS_NUMBER] } });
    const again = await em.control.addSubscription(url, { filter: { to: [OTHER_NUMBER] } });
    expect(again.filter).toEqual({ to: [`4:${OTHER_NUMBER}`] });
    const listed = (await em.control.subscriptions()).filter((s) => s.url === url);
    expect(listed).toHaveLength(1);
    expect(listed[0]!.filter).toEqual({ to: [`4:${OTHER_NUMBER}`] });
  });
});

describe('configuring subscriptions', () => {
  it('EmulatorOptions take `{ url, filter, schema }` beside plain URLs', async () => {
    const other = await startEmulator({
      logLevel: 'silent',
      eventGridSubscribers: [
        `${r.url}/plain/events`,
        {
          url: `${r.url}/agent/events`,
          filter: { to: [OTHER_NUMBER] },
          schema: 'CloudEventSchemaV1_0',
        },
      ],
    });
    try {
      const subs = await other.control.subscriptions();
      expect(subs.map((s) => [s.url, s.schema, s.filter])).toEqual([
        [`${r.url}/plain/events`, 'EventGridSchema', undefined],
        [`${r.url}/agent/events`, 'CloudEventSchemaV1_0', { to: [`4:${OTHER_NUMBER}`] }],
      ]);
    } finally {
      await other.close();
    }
  });

  it('the CLI spelling: a URL, then to=, type= and schema= words', () => {
    expect(
      parseSubscriberSpec(
        'http://127.0.0.1:3001/events?code=a%20b to=+18005550101 to=8:acs:x_y type=Microsoft.Communication.IncomingCall schema=cloudevents',
      ),
    ).toEqual({
      url: 'http://127.0.0.1:3001/events?code=a%20b',
      filter: {
        to: ['+18005550101', '8:acs:x_y'],
        includedEventTypes: ['Microsoft.Communication.IncomingCall'],
      },
      schema: 'CloudEventSchemaV1_0',
    });
    expect(parseSubscriberSpec('http://127.0.0.1:3001/events')).toEqual({
      url: 'http://127.0.0.1:3001/events',
    });
    expect(() => parseSubscriberSpec('http://127.0.0.1:3001/events from=+1555')).toThrow(
      /Unknown subscription setting 'from=\+1555'/,
    );
    expect(() => parseSubscriberSpec('http://127.0.0.1:3001/events schema=xml')).toThrow(
      /Unknown schema/,
    );
  });

  it('an unknown URL to DELETE is a 404, never a 500', async () => {
    const res = await fetch(
      `${em.url}/emulator/subscriptions?url=${encodeURIComponent('::nope')}`,
      {
        method: 'DELETE',
      },
    );
    expect(res.status).toBe(404);
    await expect(em.control.addSubscription('ftp://example.com/x')).rejects.toBeInstanceOf(
      ControlError,
    );
  });
});
