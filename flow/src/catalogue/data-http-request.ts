import * as z from 'zod';
import { HTTP_METHODS } from '../actions.js';
import { renderWithSecrets } from '../environment.js';
import type { CallEvent } from '../events.js';
import { secondsField, templateField, variableNameField } from '../fields.js';
import { asVariableText, JSON_PATH_MESSAGE, parseJsonPath, readJsonPath } from '../json-path.js';
import { headerTemplates, quote } from './shared.js';
import { defineNodeType, type OutcomeDescription } from './types.js';

/** The bound: an IVR caller waits in silence while the request runs. */
export const MAX_HTTP_TIMEOUT_SECONDS = 10;

const configSchema = z.strictObject({
  method: z.enum(HTTP_METHODS).default('GET').meta({
    title: 'Method',
    description: 'GET reads, POST creates; the server’s documentation says which',
  }),
  url: templateField.default('https://').meta({
    title: 'URL',
    description:
      'https:// address; may use {{ env.CRM_URL }}, {{ call.from | url_encode }} and other variables',
    widget: 'template',
  }),
  headers: z
    .array(
      z.strictObject({
        name: z
          .string()
          .regex(/^[A-Za-z0-9-]{1,64}$/, { error: 'Header names use letters, digits and dashes' })
          .meta({ title: 'Header', description: 'e.g. Authorization' }),
        value: templateField.meta({
          title: 'Value',
          description: 'e.g. Bearer {{ secret.CRM_TOKEN }}; secrets may be used here only',
          widget: 'template',
          secrets: true,
        }),
      }),
    )
    .max(20, { error: 'Use at most 20 headers' })
    .default([])
    .meta({
      title: 'Headers',
      description: 'Sent with the request; Idempotency-Key is added (the same on a resend)',
      widget: 'assignments',
    }),
  body: templateField.default('').meta({
    title: 'JSON body',
    description:
      'Sent as application/json; empty for none. Put text in with {{ vars.name | json }}',
    widget: 'template',
  }),
  timeoutSeconds: secondsField(1, MAX_HTTP_TIMEOUT_SECONDS)
    .default(5)
    .meta({
      title: 'Timeout (seconds)',
      description: `How long to wait for the answer (at most ${MAX_HTTP_TIMEOUT_SECONDS})`,
    }),
  responseMapping: z
    .array(
      z.strictObject({
        variable: variableNameField.meta({
          title: 'Variable',
          description: 'Set to the value found',
          widget: 'variableName',
        }),
        path: z
          .string()
          .refine((p) => parseJsonPath(p) !== undefined, { error: JSON_PATH_MESSAGE })
          .meta({ title: 'JSON path', description: 'Where in the answer, e.g. $.customer.tier' }),
      }),
    )
    .max(20, { error: 'Map at most 20 values' })
    .default([])
    .meta({
      title: 'Response mapping',
      description: 'Values of the JSON answer kept in variables (missing: empty)',
    }),
  outcomesByStatus: z.boolean().default(false).meta({
    title: 'Outcomes by status class',
    description: 'Separate outcomes for 4xx and 5xx answers instead of “Failed”',
  }),
});

type Config = z.output<typeof configSchema>;

const BASE_OUTCOMES: OutcomeDescription[] = [
  { id: 'success', label: 'Success' },
  { id: 'failed', label: 'Failed', failure: true },
  { id: 'timeout', label: 'Timed out' },
];
const BY_STATUS: OutcomeDescription[] = [
  { id: 'status4xx', label: 'Client error (4xx)' },
  { id: 'status5xx', label: 'Server error (5xx)' },
];

const statusIn = (lo: number) => (e: CallEvent) =>
  e.http !== undefined && e.http.status >= lo && e.http.status < lo + 100;

const answerNote = (e: CallEvent) => `the server answered ${e.http?.status ?? 'nothing'}`;

export const httpRequest = defineNodeType({
  type: 'data.httpRequest',
  version: 1,
  label: 'HTTP request',
  category: 'Data',
  icon: 'GlobeArrowForward',
  description: 'Asks an external system (a CRM, a database API) and keeps parts of its answer',
  configSchema,
  outcomes: (c: Config) => (c.outcomesByStatus ? [...BASE_OUTCOMES, ...BY_STATUS] : BASE_OUTCOMES),
  callControl: 'none',
  waits: true,
  summary: (c) => `${c.method} ${quote(c.url, 48)}`,
  action: (ctx) => {
    const c = ctx.config;
    const url = ctx.render(c.url).trim();
    if (!/^https?:\/\/[^\s/]+/i.test(url)) {
      throw new Error(`the URL ${quote(url, 80)} is not a web address (http:// or https://)`);
    }
    let body: string | undefined;
    if (c.body.trim() !== '') {
      body = ctx.render(c.body);
      try {
        JSON.parse(body);
      } catch (e) {
        throw new Error(
          `the JSON body is not valid JSON once its variables are filled in (${e instanceof Error ? e.message : String(e)}); put text in with | json`,
          { cause: e },
        );
      }
    }
    return {
      kind: 'httpRequest',
      method: c.method,
      url,
      headers: c.headers.map((h) => ({
        name: h.name,
        value: renderWithSecrets((t) => ctx.render(t), h.value),
      })),
      ...(body !== undefined ? { body } : {}),
      timeoutMs: c.timeoutSeconds * 1000,
    };
  },
  // The engine answers within the timeout; past that (and a margin) the answer was lost.
  maxWaitSeconds: (c) => c.timeoutSeconds + 30,
  events: [
    { on: 'HttpResponse', when: statusIn(200), outcome: 'success' },
    {
      // Outcomes that exist only with the setting on: picked, not named.
      on: 'HttpResponse',
      when: (e, c) => c.outcomesByStatus && (statusIn(400)(e) || statusIn(500)(e)),
      pick: (e) => (statusIn(400)(e) ? 'status4xx' : 'status5xx'),
      note: answerNote,
    },
    { on: 'HttpResponse', outcome: 'failed', note: answerNote },
    { on: 'HttpTimeout', outcome: 'timeout', note: (e) => e.resultInformation?.message },
    { on: 'HttpFailed', outcome: 'failed', note: (e) => e.resultInformation?.message },
  ],
  assign: (c, _result, event) => {
    if (event?.type !== 'HttpResponse') return {};
    const body = event.http?.body;
    return Object.fromEntries(
      c.responseMapping.map((m) => [m.variable, asVariableText(readJsonPath(body, m.path))]),
    );
  },
  templates: (c) => [
    { path: ['url'], text: c.url },
    ...headerTemplates('headers', c.headers).map((t) => ({ ...t, secrets: true as const })),
    ...(c.body.trim() !== '' ? [{ path: ['body'], text: c.body }] : []),
  ],
  sampleInputs: (c) => [
    { http: { status: 200, body: {} } },
    ...(c.outcomesByStatus ? [{ http: { status: 404 } }, { http: { status: 503 } }] : []),
    ...(c.outcomesByStatus ? [] : [{ http: { status: 500 } }]),
    { http: 'timeout' as const },
  ],
  writesVariables: (c) => c.responseMapping.map((m) => m.variable),
});
