import { describe, expect, it } from 'vitest';
import {
  fillSecrets,
  markedSecrets,
  readJsonPath,
  runScenario,
  validateFlow,
  type FlowDocument,
} from '../src/index.js';
import { answered, answeredThen, ev, flowOf, given, incoming, marker } from './support/index.js';

const lookup = (extra: Record<string, unknown> = {}) =>
  answeredThen(
    [
      'data.httpRequest',
      {
        method: 'POST',
        url: '{{ env.CRM_URL }}/customers/{{ call.from | url_encode }}',
        headers: [
          { name: 'Authorization', value: 'Bearer {{ secret.CRM_TOKEN }}' },
          { name: 'X-Caller', value: '{{ call.callerDisplayName }}' },
        ],
        body: '{"number": {{ call.from | json }}}',
        responseMapping: [
          { variable: 'tier', path: '$.customer.tier' },
          { variable: 'firstOrder', path: '$.orders[0].id' },
        ],
        ...extra,
      },
    ],
    { success: 'ok', failed: 'bad', timeout: 'slow', status4xx: 'client', status5xx: 'server' },
    {
      ok: marker('Hello {{ vars.tier }} customer'),
      bad: marker('failed'),
      slow: marker('slow'),
      client: marker('4xx'),
      server: marker('5xx'),
    },
  );

const ENV = { env: { CRM_URL: 'https://crm.example.com/api' } };

describe('data.httpRequest', () => {
  it('given a caller, then it asks the server with the environment URL, headers and JSON body; the secret stays a marker', () => {
    const s = answered(lookup(), ENV);
    const request = s.history[0]?.actions[0];
    expect(request).toMatchObject({
      kind: 'httpRequest',
      method: 'POST',
      url: 'https://crm.example.com/api/customers/%2B15551234567',
      body: '{"number": "+15551234567"}',
      timeoutMs: 5000,
    });
    const auth = (request as { headers: { name: string; value: string }[] }).headers[0];
    expect(auth?.value).not.toContain('CRM_TOKEN_VALUE');
    expect(markedSecrets(auth?.value ?? '')).toEqual(['CRM_TOKEN']);
    expect(fillSecrets(auth?.value ?? '', () => 's3cret')).toBe('Bearer s3cret');
    // Nothing secret in the state either: only the run's own fields.
    expect(JSON.stringify(s.state)).not.toContain('secret');
    expect(s.state.awaiting).toMatchObject({ nodeId: 'n' });
  });

  it('when the server answers 200 with JSON, then "success" and the mapped values are variables', () => {
    answered(lookup(), ENV)
      .when(
        ev('HttpResponse', {
          http: { status: 200, body: { customer: { tier: 'gold' }, orders: [{ id: 7 }] } },
        }),
      )
      .then({ outcomes: { n: ['success'] }, vars: { tier: 'gold', firstOrder: '7' } });
  });

  it('when the mapped value is missing, then the variable is empty (not the previous value)', () => {
    answered(lookup(), ENV)
      .when(ev('HttpResponse', { http: { status: 200, body: 'not json' } }))
      .then({ outcomes: { n: ['success'] }, vars: { tier: '', firstOrder: '' } });
  });

  it('when the server answers 404, then "failed" and the trace says what the server answered', () => {
    const s = answered(lookup(), ENV).when(ev('HttpResponse', { http: { status: 404 } }));
    s.then({ outcomes: { n: ['failed'] }, awaiting: 'bad' });
    expect(s.trace).toContainEqual(
      expect.objectContaining({ kind: 'event', note: 'the server answered 404' }),
    );
  });

  it('with outcomes by status class, then 4xx and 5xx take their own outcomes', () => {
    answered(lookup({ outcomesByStatus: true }), ENV)
      .when(ev('HttpResponse', { http: { status: 403 } }))
      .then({ outcomes: { n: ['status4xx'] }, awaiting: 'client' });
    answered(lookup({ outcomesByStatus: true }), ENV)
      .when(ev('HttpResponse', { http: { status: 502 } }))
      .then({ outcomes: { n: ['status5xx'] }, awaiting: 'server' });
  });

  it('when the request times out, then "timeout"; when it is refused, then "failed" with the reason traced', () => {
    answered(lookup(), ENV)
      .when(ev('HttpTimeout', { resultInformation: { message: 'no answer within 5 s' } }))
      .then({ outcomes: { n: ['timeout'] }, awaiting: 'slow' });
    const s = answered(lookup(), ENV).when(
      ev('HttpFailed', {
        resultInformation: { message: '169.254.169.254 is a link-local address and refused' },
      }),
    );
    s.then({ outcomes: { n: ['failed'] } });
    expect(s.trace).toContainEqual(
      expect.objectContaining({ note: '169.254.169.254 is a link-local address and refused' }),
    );
  });

  it('given no environment value, then the URL is not a web address and the node fails at once', () => {
    const s = answered(lookup());
    expect(s.history[0]?.actions.map((a) => a.kind)).toEqual(['play']);
    expect(s.history[0]?.trace).toContainEqual(
      expect.objectContaining({
        kind: 'error',
        message: expect.stringContaining('not a web address'),
      }),
    );
  });

  it('given a body that is no JSON once filled in, then "failed" with a message naming | json', () => {
    const s = answered(lookup({ body: '{"number": {{ call.from }}}' }), ENV);
    expect(s.history[0]?.trace).toContainEqual(
      expect.objectContaining({ kind: 'error', message: expect.stringContaining('| json') }),
    );
  });

  it('a caller cannot make a secret marker: marker characters in rendered values are dropped', () => {
    const forged = `\u{E000}secret:CRM_TOKEN\u{E001}`;
    const s = given(lookup(), { ...incoming, callerDisplayName: forged }, ENV).given(
      ev('CallConnected', { callConnectionId: 'cc-1' }),
    );
    const headers = (s.history[0]?.actions[0] as { headers: { value: string }[] }).headers;
    expect(markedSecrets(headers[0]?.value ?? '')).toEqual(['CRM_TOKEN']);
    expect(headers[1]?.value).toBe('secret:CRM_TOKEN');
    expect(markedSecrets(headers[1]?.value ?? '')).toEqual([]);
  });
});

describe('validating environment references', () => {
  const names = { values: ['CRM_URL'], secrets: ['CRM_TOKEN'] };

  it('flags unknown environment values and secrets', () => {
    const issues = validateFlow(lookup(), { environment: { values: [], secrets: [] } });
    expect(issues.map((i) => i.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('no environment value “CRM_URL”'),
        expect.stringContaining('no secret “CRM_TOKEN”'),
      ]),
    );
    expect(
      validateFlow(lookup({ outcomesByStatus: true }), { environment: names }).filter(
        (i) => i.severity === 'error',
      ),
    ).toEqual([]);
  });

  it('refuses a secret in a prompt', () => {
    const flow: FlowDocument = answeredThen(marker('Your token is {{ secret.CRM_TOKEN }}'));
    const issues = validateFlow(flow, { environment: names });
    expect(issues).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        message: expect.stringContaining('secrets cannot be used here'),
      }),
    );
  });

  it('refuses a secret with a filter (it could not stay a marker)', () => {
    const flow = lookup({ headers: [{ name: 'A', value: '{{ secret.CRM_TOKEN | upcase }}' }] });
    expect(validateFlow(flow, { environment: names })).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining('no filters') }),
    );
  });

  it('refuses a bad JSON path and a timeout over 10 s', () => {
    const flow = lookup({
      timeoutSeconds: 11,
      responseMapping: [{ variable: 'x', path: 'customer.tier' }],
    });
    const messages = validateFlow(flow).map((i) => i.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining('at most 10 seconds'),
        expect.stringContaining('JSON path'),
      ]),
    );
  });
});

describe('JSON paths', () => {
  it('reads names, quoted names and indexes; anything else is undefined', () => {
    const v = { a: { 'b c': [1, { d: 'x' }] } };
    expect(readJsonPath(v, '$')).toBe(v);
    expect(readJsonPath(v, "$.a['b c'][1].d")).toBe('x');
    expect(readJsonPath(v, '$.a.missing')).toBeUndefined();
    expect(readJsonPath(v, '$.a["b c"][5]')).toBeUndefined();
    expect(readJsonPath(v, 'a.b')).toBeUndefined();
    expect(readJsonPath({ toString: 1 }, '$.constructor')).toBeUndefined();
  });
});

describe('scenarios with HTTP answers', () => {
  it('an http input answers the request; no input is an incomplete scenario, not a guess', () => {
    const flow = flowOf(
      {
        t: ['trigger.incomingCall'],
        n: [
          'data.httpRequest',
          {
            url: 'https://crm.example.com/x',
            responseMapping: [{ variable: 'tier', path: '$.tier' }],
          },
        ],
        b: [
          'logic.branch',
          {
            rules: [
              {
                id: 'gold',
                label: 'Gold',
                condition: { all: [{ left: '{{ vars.tier }}', op: 'equals', right: 'gold' }] },
              },
            ],
          },
        ],
      },
      [
        ['t', 'next', 'n'],
        ['n', 'success', 'b'],
      ],
    );
    const r = runScenario(flow, {
      name: 'gold',
      inputs: [{ node: 'n', http: { status: 200, body: { tier: 'gold' } } }],
      expect: { path: ['t', 'n', 'b'] },
    });
    expect(r.failures).toEqual([]);
    const t = runScenario(flow, {
      name: 'slow',
      inputs: [{ node: 'n', http: 'timeout' }],
      expect: { endNode: 'n' },
    });
    expect(t.failures).toEqual([]);
    const none = runScenario(flow, { name: 'none', expect: { endNode: 'n' } });
    expect(none.passed).toBe(false);
  });
});
