import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowDocument } from '@switchboard/flow';
import { describe, expect, it } from 'vitest';
import { checkScenarios } from '../../src/editor/scenarioChecks.js';
import { BrowserSubflows } from '../../src/editor/subflows.js';

const read = (file: string) =>
  JSON.parse(
    readFileSync(join(import.meta.dirname, `../../../flow/examples/${file}`), 'utf8'),
  ) as FlowDocument;

describe('scenarios of a draft that calls a subflow, in the editor', () => {
  const supportLine = read('support-line.json');

  it('fail while the subflow is not loaded, and pass with every connection covered once it is', async () => {
    const asked: string[] = [];
    // The published flows, as the engine would answer them: here the example files.
    const subflows = new BrowserSubflows(async (flowId, version) => {
      asked.push(`${flowId}@${version ?? 'latest'}`);
      return flowId === 'verify-caller'
        ? { version: 1, document: read('verify-caller.json') }
        : null;
    });
    const before = checkScenarios(supportLine, { coverage: true, subflows: subflows.resolver });
    expect(before.failed).toBeGreaterThan(0);
    expect(await subflows.load(supportLine)).toBe(true);
    const after = checkScenarios(supportLine, { coverage: true, subflows: subflows.resolver });
    expect(after.results.filter((r) => !r.passed).map((r) => r.failures)).toEqual([]);
    expect(after.coverage?.uncovered).toEqual([]);
    // Loaded once.
    expect(await subflows.load(supportLine)).toBe(false);
    expect(asked).toEqual(['verify-caller@latest']);
  });
});
