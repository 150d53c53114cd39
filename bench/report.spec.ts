import { describe, expect, it } from 'vitest';
import { buildResults, type FigureDef, renderTable, resultFileName, verdict } from './report.js';

const defs: FigureDef[] = [
  { key: 'rate', label: 'rate', unit: '/s', goal: { op: '>=', value: 1000 }, reference: 'ceiling' },
  { key: 'p99', label: 'p99', unit: 'ms', goal: { op: '<=', of: 'commitP99', factor: 1.5 } },
  { key: 'big', label: 'big', unit: '', goal: { op: '>=', value: 5000, fullSizeOnly: true } },
  { key: 'info', label: 'info', unit: '×' },
];

describe('bench report', () => {
  it('judges fixed goals and goals relative to another figure of the same run', () => {
    const figures = { rate: 1200, ceiling: 2400, p99: 30, commitP99: 19 };
    expect(verdict(defs[0]!, figures, false)).toBe('met');
    expect(verdict(defs[0]!, { rate: 999 }, false)).toBe('missed');
    // 30 > 1.5 × 19 = 28.5
    expect(verdict(defs[1]!, figures, false)).toBe('missed');
    expect(verdict(defs[1]!, { ...figures, commitP99: 20 }, false)).toBe('met');
    expect(verdict(defs[1]!, { p99: 30 }, false)).toBe('not measured');
    expect(verdict(defs[2]!, { big: 1500 }, true)).toBe('n/a (quick run)');
    expect(verdict(defs[2]!, { big: 1500 }, false)).toBe('missed');
    expect(verdict(defs[3]!, { info: 1 }, false)).toBe('');
  });

  it('renders one markdown table with the reference and the ratio', () => {
    const table = renderTable({ rate: 1200, ceiling: 2400, p99: 30, commitP99: 19 }, false, defs);
    const lines = table.split('\n');
    expect(lines[0]).toBe('| figure | measured | goal | reference (same run) | ratio | met? |');
    expect(lines).toHaveLength(2 + defs.length);
    expect(lines[2]).toBe(
      '| rate (`rate`) | 1,200 /s | ≥ 1,000 /s | ceiling 2,400 | 0.50× | met |',
    );
    expect(lines[3]).toContain('≤ 1.5× commitP99 (28.5 ms)');
    expect(lines[3]).toMatch(/\| missed \|$/);
    expect(lines[5]).toBe('| info (`info`) | not measured | — | — | — | — |');
  });

  it('names the file by its UTC time and puts every figure at the top level', () => {
    expect(resultFileName(new Date('2026-12-01T16:40:00.123Z'))).toBe('2026-12-01T16-40-00Z.json');
    const r = buildResults({
      at: new Date('2026-12-01T16:40:00Z'),
      commit: 'abc',
      machine: { cpus: 2 },
      quick: false,
      settings: {},
      phases: {
        a: { seconds: 1, figures: { eventsPerSecond: 1100 } },
        b: { seconds: 2, figures: {}, error: 'boom' },
      },
    });
    expect(r.eventsPerSecond).toBe(1100);
    // A figure no phase measured is there, as null.
    expect(r.dbosRatio).toBeNull();
    expect(r.timestamp).toBe('2026-12-01T16:40:00.000Z');
    expect((r.goals as Record<string, string>).eventsPerSecond).toBe('met');
    expect((r.phases as Record<string, { error?: string }>).b!.error).toBe('boom');
  });
});
