/**
 * Records the golden runs (test/golden/<document>/<scenario>.json) from the scenarios in
 * test/golden/golden-scenarios.ts. Run it on purpose only: after adding a scenario, or after
 * changing an example flow. A catalogue change that alters these recordings is a new type
 * version, not a re-recording.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { fixtureUrl, fixturesDir, record } from '../test/golden/golden-replay.js';
import { goldenScenarios } from '../test/golden/golden-scenarios.js';

const written = new Set<string>();
for (const scenario of goldenScenarios) {
  const url = fixtureUrl(scenario.document, scenario.name);
  const file = fileURLToPath(url);
  if (written.has(file)) throw new Error(`two scenarios are called ${scenario.name}`);
  mkdirSync(fileURLToPath(new URL('./', url)), { recursive: true });
  const options = (await prettier.resolveConfig(file)) ?? {};
  const text = await prettier.format(JSON.stringify(record(scenario)), {
    ...options,
    filepath: file,
  });
  writeFileSync(file, text);
  written.add(file);
}

// Recordings of scenarios that no longer exist would be replayed forever: remove them.
const root = fileURLToPath(fixturesDir);
for (const dir of readdirSync(root, { withFileTypes: true })) {
  if (!dir.isDirectory()) continue;
  for (const name of readdirSync(`${root}${dir.name}`)) {
    const file = `${root}${dir.name}/${name}`;
    if (name.endsWith('.json') && !written.has(file)) rmSync(file);
  }
}
console.log(`recorded ${written.size} golden runs in ${root}`);
