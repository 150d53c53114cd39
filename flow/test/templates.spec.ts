import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFlow, start, validateFlow, type FlowDocument } from '../src/index.js';
import { answeredThen, flowOf, incoming, NOW } from './support/index.js';

const play = (text: string, timeZone?: string): FlowDocument => {
  const doc = flowOf(
    {
      t: ['trigger.incomingCall'],
      a: ['call.answer'],
      n: ['media.play', { text }],
    },
    [
      ['t', 'next', 'a'],
      ['a', 'connected', 'n'],
    ],
  );
  return timeZone ? { ...doc, timeZone } : doc;
};

/** The text the play node would say, rendered on entering it (after the answer). */
function said(doc: FlowDocument, now: number): { text: string; errors: string[] } {
  // Start at the play node directly: a flow whose trigger leads straight to it.
  const direct: FlowDocument = {
    ...doc,
    edges: [{ id: 'e', source: 't', sourceOutcome: 'next', target: 'n' }],
  };
  const r = start(direct, incoming, now);
  const action = r.actions.find((a) => a.kind === 'play') as
    { sources: { text?: string }[] } | undefined;
  return {
    text: action?.sources[0]?.text ?? '',
    errors: r.trace.filter((t) => t.kind === 'templateError').map((t) => t.message),
  };
}

const SEED = 20261201;

describe('templates are pure: time comes from the step, dates are shown in the flow’s zone', () => {
  it('"now" is the step’s now, in the flow’s time zone (default UTC)', () => {
    const now = Date.UTC(2020, 0, 1, 12, 30, 0);
    const text = "{{ 'now' | date: '%Y-%m-%d %H:%M %z' }}";
    expect(said(play(text), now).text).toBe('2020-01-01 12:30 +0000');
    expect(said(play(text, 'America/New_York'), now).text).toBe('2020-01-01 07:30 -0500');
    expect(said(play(text, 'Asia/Tokyo'), now).text).toBe('2020-01-01 21:30 +0900');
    // Summer time where the zone has it.
    expect(said(play(text, 'America/New_York'), Date.UTC(2020, 6, 1, 12, 30)).text).toBe(
      '2020-07-01 08:30 -0400',
    );
  });

  it('dates given to the filter: ISO with or without offset, epoch seconds; other text is left as is', () => {
    const t = (tpl: string) => said(play(tpl, 'Europe/Paris'), NOW).text;
    expect(t("{{ '2026-12-24T18:00:00Z' | date: '%A %e %B %Y, %H:%M' }}")).toBe(
      'Thursday 24 December 2026, 19:00',
    );
    expect(t("{{ '2026-12-24' | date: '%d/%m' }}")).toBe('24/12');
    expect(t("{{ 1700000000 | date: '%F %T %Z' }}")).toBe('2023-11-14 23:13:20 Europe/Paris');
    expect(t("{{ 'next tuesday' | date: '%F' }}")).toBe('next tuesday');
    expect(t("{{ 'now' | date_to_xmlschema }}")).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/,
    );
  });

  it('a node with its own time zone setting shows dates in it; others in the flow’s', () => {
    const doc: FlowDocument = {
      ...flowOf({
        t: ['trigger.incomingCall'],
        h: ['logic.businessHours', { timezone: 'Asia/Tokyo' }],
        p: ['media.play', { text: 'hi' }],
      }),
      timeZone: 'Europe/Paris',
    };
    const compiled = compileFlow(doc);
    expect(compiled.nodes.get('h')?.timeZone).toBe('Asia/Tokyo');
    expect(compiled.nodes.get('p')?.timeZone).toBe('Europe/Paris');
    expect(compileFlow({ ...doc, timeZone: undefined }).nodes.get('p')?.timeZone).toBe('UTC');
    expect(
      validateFlow({ ...doc, timeZone: 'Mars/Olympus' }).some((i) => i.path[0] === 'timeZone'),
    ).toBe(true);
  });

  // Three child processes: generous on a loaded machine.
  it(
    `same flow, state, event and now under TZ=UTC, America/New_York and Asia/Tokyo: byte-identical (seed ${SEED})`,
    { timeout: 120_000 },
    () => {
      const formats = [
        '%c',
        '%F %T %z',
        '%a %b %e %l:%M %p',
        '%s',
        '%j %U',
        '%Z %:z',
        '%A %B %d %Y',
      ];
      const cases = fc.sample(
        fc.record({
          now: fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }),
          format: fc.constantFrom(...formats),
          zone: fc.constantFrom(
            undefined,
            'UTC',
            'America/New_York',
            'Asia/Tokyo',
            'Australia/Lord_Howe',
          ),
          input: fc.constantFrom(
            "'now'",
            "'today'",
            "'2026-03-08T02:30:00'",
            '1700000000',
            "'2026-10-25T01:30:00+01:00'",
          ),
        }),
        { numRuns: 60, seed: SEED },
      );
      const input = JSON.stringify(
        cases.map((c) => ({
          flow: play(`{{ ${c.input} | date: '${c.format}' }} {{ 'now' | date_to_rfc822 }}`, c.zone),
          trigger: incoming,
          now: c.now,
        })),
      );
      const script = fileURLToPath(new URL('./support/steps-under-tz.ts', import.meta.url));
      const outputs = ['UTC', 'America/New_York', 'Asia/Tokyo'].map((TZ) => {
        const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
          input,
          env: { ...process.env, TZ },
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect(r.status, r.stderr).toBe(0);
        return r.stdout;
      });
      expect(outputs[0]!.length).toBeGreaterThan(1000);
      expect(outputs[1]).toBe(outputs[0]);
      expect(outputs[2]).toBe(outputs[0]);
    },
  );
});

describe('templates are bounded', () => {
  it('a render over its time budget says nothing and traces an error naming the node and field', () => {
    const slow =
      '{% for a in (1..100000) %}{% for b in (1..100000) %}{{ a | plus: b }}{% endfor %}{% endfor %}';
    const t0 = performance.now();
    const r = said(play(slow), NOW);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.text).toBe('');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^text: /);
  });

  it('a render longer than 8 KB says nothing and traces an error', () => {
    const long = `${'0123456789'.repeat(900)} {{ call.from }}`;
    const r = said(play(long), NOW);
    expect(r.text).toBe('');
    expect(r.errors).toEqual([
      expect.stringMatching(/^text: the text it renders is longer than 8 KB$/),
    ]);
    // Just under the limit is fine.
    expect(said(play(`${'0123456789'.repeat(800)} {{ call.from }}`), NOW).text).toHaveLength(
      8001 + incoming.from.length,
    );
  });

  it.each(['include', 'render', 'layout'])(
    '{%% %s %%} is refused by the validator, naming the node and field (and never throws)',
    (tag) => {
      const doc = answeredThen(['media.play', { text: `Hi {% ${tag} 'x' %}` }]);
      const issues = validateFlow(doc);
      const error = issues.find((i) => i.severity === 'error');
      expect(error).toMatchObject({ nodeId: 'n', path: ['nodes', 2, 'config', 'text'] });
      expect(error!.message).toContain(`{% ${tag} %} is not available in flow templates`);
    },
  );
});
