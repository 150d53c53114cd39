import { describe, expect, it } from 'vitest';
import { mergeSteps } from '../../src/calls/useLiveRun.js';
import { mainIvr, simulate, supportCall, TUESDAY_10_LA } from './support/runs.js';

describe('merging steps from the detail and the stream', () => {
  const { steps } = simulate(mainIvr, TUESDAY_10_LA, supportCall);

  it('appends new steps in order', () => {
    const merged = mergeSteps(steps.slice(0, 2), steps.slice(2));
    expect(merged.map((s) => s.seq)).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps the same array when the stream replays steps already known', () => {
    const known = steps.slice(0, 4);
    expect(mergeSteps(known, steps.slice(0, 3))).toBe(known);
    expect(mergeSteps(known, [])).toBe(known);
  });

  it('fills a gap and drops duplicates when steps arrive out of order', () => {
    const merged = mergeSteps([steps[0]!, steps[2]!], [steps[2]!, steps[1]!, steps[3]!]);
    expect(merged.map((s) => s.seq)).toEqual([0, 1, 2, 3]);
  });
});
