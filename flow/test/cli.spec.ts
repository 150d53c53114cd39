import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '../src/index.js';

const bin = fileURLToPath(new URL('../bin/switchboard.mjs', import.meta.url));
const example = fileURLToPath(new URL('../examples/main-ivr.json', import.meta.url));

function switchboard(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, INIT_CWD: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npx switchboard test', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));

  it('passes the example flow: a line per scenario, exit 0', () => {
    const r = switchboard('test', example);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(example, 'utf8')) as FlowDocument;
    for (const s of doc.scenarios ?? []) expect(r.out).toContain(`✓ ${s.name}`);
    expect(r.out).toContain(`${doc.scenarios?.length} passed, 0 failed`);
  });

  it('fails a changed flow with the reason, exit 1, and writes JUnit XML', () => {
    const doc = JSON.parse(readFileSync(example, 'utf8')) as FlowDocument;
    const edge = doc.edges.find((e) => e.source === 'menu' && e.sourceOutcome === 'choice:2');
    if (!edge) throw new Error('no edge');
    edge.target = 'sales';
    const changed = join(dir, 'changed.json');
    writeFileSync(changed, JSON.stringify(doc));
    const junit = join(dir, 'results.xml');
    const r = switchboard('test', changed, '--junit', junit);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ Support connected: Completed/);
    expect(r.out).toMatch(/“Transfer to sales” asked \(time 1\)/);
    const xml = readFileSync(junit, 'utf8');
    const failed = (r.out.match(/ ✗ /g) ?? []).length;
    expect(failed).toBeGreaterThan(0);
    expect(xml).toContain(`failures="${failed}"`);
    expect((xml.match(/<failure /g) ?? []).length).toBe(failed);
    expect(xml).toContain(`tests="${doc.scenarios?.length}"`);
  });

  it('says what is wrong with a file that is not a flow', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        schemaVersion: 1,
        name: 'x',
        nodes: [],
        edges: [],
        scenarios: [{ name: 'a' }],
      }),
    );
    const r = switchboard('test', bad);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ not a flow document: scenarios\.0\.expect: /);
  });

  it('exits 2 for a wrong command line', () => {
    expect(switchboard('test').code).toBe(2);
    expect(switchboard('frobnicate').err).toMatch(/unknown command “frobnicate”/);
    expect(switchboard('test', '--nope', example).code).toBe(2);
    expect(switchboard('--help').code).toBe(0);
  });
});
