import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { getNodeType, type NodeTypeDescription } from '../src/index.js';
import {
  fixtureUrl,
  fixturesDir,
  outcomesTaken,
  readExample,
  replay,
  type GoldenFixture,
} from './golden/golden-replay.js';
import { goldenScenarios } from './golden/golden-scenarios.js';

const root = fileURLToPath(fixturesDir);
const fixtures: [string, GoldenFixture][] = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(`${root}${d.name}`)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f): [string, GoldenFixture] => [
        `${d.name}/${f.replace(/\.json$/, '')}`,
        JSON.parse(readFileSync(`${root}${d.name}/${f}`, 'utf8')) as GoldenFixture,
      ]),
  );

/** Fails with the replay's message and the recorded/replayed outputs side by side. */
function expectSameAsRecorded(fixture: GoldenFixture): void {
  const difference = replay(fixture);
  if (difference) expect(difference.replayed, difference.message).toEqual(difference.recorded);
}

describe('golden replays: published behaviour never changes', () => {
  it.each(fixtures)('%s does what it did when recorded', (_name, fixture) => {
    expectSameAsRecorded(fixture);
  });

  it('has a recording of every scenario and no recording without one', () => {
    const expected = goldenScenarios.map((s) =>
      fileURLToPath(fixtureUrl(s.document, s.name))
        .slice(root.length)
        .replace(/\.json$/, ''),
    );
    expect(fixtures.map(([name]) => name).sort()).toEqual([...expected].sort());
  });

  it.each(['main-ivr.json', 'appointment-reminder.json'])(
    '%s: the recordings follow every connection and every run ends',
    (document) => {
      const runs = fixtures.filter(([, f]) => f.document === document).map(([, f]) => f);
      const taken = new Set(runs.flatMap((f) => [...outcomesTaken(f)]));
      const wired = readExample(document).doc.edges.map((e) => `${e.source}:${e.sourceOutcome}`);
      expect(wired.filter((w) => !taken.has(w))).toEqual([]);
      for (const f of runs) expect((f.steps.at(-1) ?? f.start).endReason, f.scenario).toBeDefined();
    },
  );

  it('fails, naming the node type, when a default changes without a new type version', () => {
    const play = getNodeType('media.play', 1) as NodeTypeDescription;
    const original = play.configSchema;
    const fixture = fixtures.find(([name]) => name === 'main-ivr/closed-sunday')?.[1];
    expect(fixture).toBeDefined();
    try {
      // What a well-meant "better default voice" edit in media-play.ts would do.
      play.configSchema = original.extend({
        voice: z.string().default('en-US-GuyNeural').meta({ title: 'Voice', description: 'x' }),
      });
      const difference = replay(fixture!);
      expect(difference?.message).toMatch(
        /^a published version's behaviour changed: add a new type version instead\. main-ivr\.json \/ closed-sunday, at event 1 \(CallConnected\): node “closedMessage” of type media\.play version 1$/,
      );
      expect(() => expectSameAsRecorded(fixture!)).toThrow(/add a new type version instead/);
      // Every run that plays something notices, not only this one.
      const noticed = fixtures.filter(([, f]) => replay(f) !== undefined).length;
      expect(noticed).toBeGreaterThan(fixtures.length / 2);
    } finally {
      play.configSchema = original;
    }
    expect(replay(fixture!)).toBeUndefined();
  });
});
