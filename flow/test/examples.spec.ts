import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { siblingSubflows } from '../src/cli/test-command.js';
import { validateFlow, type FlowDocument, type SubflowCatalog } from '../src/index.js';
import { ev, given, incoming } from './support/index.js';

const read = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const ivr = read('../examples/main-ivr.json') as FlowDocument;
const reminder = read('../examples/appointment-reminder.json') as FlowDocument;
const supportLine = read('../examples/support-line.json') as FlowDocument;
const verifyCaller = read('../examples/verify-caller.json') as FlowDocument;

/** The examples' subflows as published flows: the example files named after the flow ids. */
const resolver = siblingSubflows(
  fileURLToPath(new URL('../examples/support-line.json', import.meta.url)),
);
const catalog: SubflowCatalog = {
  version: (flowId, version) => {
    const r = resolver.resolve(flowId, version);
    const document = r && (resolver.flow(r.versionId) as FlowDocument | undefined);
    return r && document ? { version: r.version, document } : undefined;
  },
};
const lookup = read('../examples/caller-lookup.json') as FlowDocument;

describe('example flows', () => {
  it.each([
    ['main-ivr', ivr],
    ['appointment-reminder', reminder],
    ['support-line', supportLine],
    ['verify-caller', verifyCaller],
    ['caller-lookup', lookup],
  ])('%s validates with no errors or warnings and is laid out left to right', (_n, doc) => {
    // An analyst's first look at the product: a seeded example that opens with warnings
    // teaches them to ignore warnings.
    expect(validateFlow(doc, { subflows: catalog }).map((i) => i.message)).toEqual([]);
    const x = new Map(doc.nodes.map((n) => [n.id, n.position.x]));
    for (const e of doc.edges) {
      // Edges go rightwards, except loops back (none in the examples).
      expect(x.get(e.target) as number, `${e.source} → ${e.target}`).toBeGreaterThan(
        x.get(e.source) as number,
      );
    }
  });

  describe('main IVR', () => {
    const tuesdayMorning = Date.parse('2026-03-03T18:00:00Z'); // 10:00 in Los Angeles
    const sunday = Date.parse('2026-03-08T18:00:00Z');
    const christmas = Date.parse('2026-12-25T18:00:00Z');
    const toMenu = () => given(ivr, incoming, undefined, tuesdayMorning).given(ev('CallConnected'));

    it('during opening hours, answers and offers the menu', () => {
      const s = toMenu();
      expect(s.state.awaiting?.nodeId).toBe('menu');
    });
    it('1 transfers to sales', () => {
      const s = toMenu().when(ev('RecognizeCompleted', { tones: ['one'] }));
      expect(s.action('transferCall').target).toBe('+14255550100');
      s.when(ev('CallTransferAccepted')).then({ ended: 'transferred' });
    });
    it('2 adds a support agent, tells the caller, and leaves them talking', () => {
      const s = toMenu().when(
        ev('RecognizeCompleted', { tones: ['two'] }),
        ev('AddParticipantSucceeded'),
        ev('PlayCompleted'),
      );
      s.then({ actions: ['addParticipant', 'play', 'hangUp', 'end'], ended: 'completed' });
      expect(s.action('hangUp').forEveryone).toBe(false);
    });
    it('0 goes to the operator', () => {
      const s = toMenu().when(ev('RecognizeCompleted', { tones: ['zero'] }));
      expect(s.action('transferCall').target).toBe('+14255550199');
    });
    it('no input twice: goodbye, then hang up', () => {
      const silence = ev('RecognizeFailed', { resultInformation: { code: 400, subCode: 8510 } });
      toMenu()
        .when(silence, silence, ev('PlayCompleted'))
        .then({
          actions: ['recognizeDtmf', 'play', 'hangUp', 'end'],
          outcomes: { menu: ['noInput'] },
          ended: 'completed',
        });
    });
    it.each([
      [sunday, 'closedMessage'],
      [christmas, 'holidayMessage'],
    ])('outside opening hours (%i), plays a message and hangs up', (now, message) => {
      const s = given(ivr, incoming, undefined, now).when(ev('CallConnected'), ev('PlayCompleted'));
      expect(s.history[0]?.actions[0]).toMatchObject({ kind: 'play', nodeId: message });
      s.then({ ended: 'completed' });
    });
  });

  describe('appointment reminder', () => {
    const trigger = {
      kind: 'outbound' as const,
      runId: 'rem',
      targets: ['+14255550123'],
      variables: { patientName: 'Ann', appointmentTime: 'on Monday at 9 AM' },
    };
    it('calls, asks, confirms, says goodbye and hangs up', () => {
      const s = given(reminder, trigger).when(
        ev('CallConnected'),
        ev('RecognizeCompleted', { tones: ['1'] }),
        ev('PlayCompleted'),
      );
      s.then({ actions: ['recognizeDtmf', 'play', 'hangUp', 'end'], ended: 'completed' });
      const prompt = s.action('recognizeDtmf').prompts[0];
      expect(prompt).toMatchObject({ kind: 'text', text: expect.stringContaining('Hello Ann') });
      expect(s.action('play').sources[0]).toMatchObject({
        text: expect.stringContaining('See you on Monday at 9 AM'),
      });
    });
    it('cancels on 2', () => {
      const s = given(reminder, trigger).when(
        ev('CallConnected'),
        ev('RecognizeCompleted', { tones: ['2'] }),
      );
      expect(s.action('play').nodeId).toBe('cancelled');
    });
  });
});

describe('support line (a subflow and a split)', () => {
  it('has no warnings either, checked against the subflow it calls', () => {
    expect(validateFlow(supportLine, { subflows: catalog })).toEqual([]);
    expect(validateFlow(verifyCaller)).toEqual([]);
  });
  it('greets by the split, verifies in the subflow, and thanks by the account it returns', () => {
    const s = given(
      supportLine,
      { ...incoming, runId: 'call-d' },
      { flows: (id) => resolver.flow(id) },
    )
      .given(ev('CallConnected'), ev('PlayCompleted'))
      .when(
        ev('ActionResult', {
          subflow: { flowId: 'verify-caller', versionId: 'verify-caller@1', version: 1 },
        }),
        ev('RecognizeCompleted', { tones: ['1', '2', '3', '4'] }),
      );
    expect(s.history[0]?.actions[0]).toMatchObject({ kind: 'play', nodeId: 'short' });
    expect(s.action('play').sources[0]).toMatchObject({
      text: 'Thank you. Your account is ACC-15551234567. An agent will be with you shortly.',
    });
  });
});

describe('flow.schema.json', () => {
  it('is exactly what `npm run schema -w flow` writes now (the whole file)', () => {
    const written = readFileSync(
      fileURLToPath(new URL('../flow.schema.json', import.meta.url)),
      'utf8',
    );
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('../scripts/write-schema.ts', import.meta.url)),
        '--stdout',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(written);
  }, 90_000);
});
