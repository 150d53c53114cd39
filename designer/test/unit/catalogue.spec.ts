import { describe, expect, it } from 'vitest';
import { outcomesFor, summaryFor } from '../../src/catalogue.js';

describe("the designer's window on the catalogue", () => {
  it('summarises a stored config that leaves fields out as if they had their defaults', () => {
    // Example and imported documents may omit fields; `audioUrl` missing means "no audio file".
    expect(summaryFor('media.play', { text: 'Hello there' })).toContain('Hello there');
    expect(summaryFor('media.play', { text: 'Hello', audioUrl: 'https://x/a.wav' })).toBe(
      'Play an audio file',
    );
  });

  it('gives outcomes for a config with fields left out', () => {
    const ids = outcomesFor('media.menu', { choices: [{ digit: '1', label: 'Sales' }] }).map(
      (o) => o.id,
    );
    expect(ids).toContain('choice:1');
    expect(ids).toContain('noInput');
  });
});
