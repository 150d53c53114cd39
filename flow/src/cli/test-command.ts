import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FlowDocumentSchema, type FlowDocument } from '../document.js';
import { compileFlow } from '../interpreter/compile.js';
import { edgeCoverage } from '../scenarios/coverage.js';
import { runScenario, type ScenarioResult } from '../scenarios/run-scenario.js';
import type { SubflowResolver } from '../scenarios/subflows.js';

export interface FileResult {
  file: string;
  flowName: string;
  /** Set when the file is not a flow document the tests can run on. */
  error?: string;
  results: (ScenarioResult & { ms: number })[];
  coverage?: { covered: number; edges: number };
}

/**
 * Without an engine, a "Run subflow" node's flow is the file next to this one named after its
 * flow id (`verify-caller` → `verify-caller.json`), as one published version: how the examples
 * refer to each other. A flow id with no such file is not found (the node takes "failed").
 */
export function siblingSubflows(file: string): SubflowResolver {
  const docs = new Map<string, FlowDocument | null>();
  const load = (flowId: string): FlowDocument | null => {
    let doc = docs.get(flowId);
    if (doc !== undefined) return doc;
    doc = null;
    if (/^[A-Za-z0-9_-]+$/.test(flowId)) {
      try {
        const parsed = FlowDocumentSchema.safeParse(
          JSON.parse(readFileSync(join(dirname(file), `${flowId}.json`), 'utf8')),
        );
        if (parsed.success) doc = parsed.data;
      } catch {
        // No such file: not found.
      }
    }
    docs.set(flowId, doc);
    return doc;
  };
  return {
    resolve: (flowId, version) =>
      load(flowId) && (version === null || version === 1)
        ? { flowId, versionId: `${flowId}@1`, version: 1 }
        : undefined,
    flow: (versionId) => load(versionId.replace(/@1$/, '')) ?? undefined,
  };
}

/** Runs the scenarios of one flow file, in process: no engine, no database, no network. */
export function testFile(file: string): FileResult {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return {
      file,
      flowName: file,
      error: `cannot read it as JSON: ${(e as Error).message}`,
      results: [],
    };
  }
  const parsed = FlowDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the document';
    return {
      file,
      flowName: file,
      error: `not a flow document: ${where}: ${issue?.message}`,
      results: [],
    };
  }
  const doc: FlowDocument = parsed.data;
  const flow = compileFlow(doc);
  const subflows = siblingSubflows(file);
  const results = (doc.scenarios ?? []).map((s) => {
    const t = performance.now();
    const r = runScenario(flow, s, { subflows });
    return { ...r, ms: performance.now() - t };
  });
  const coverage = edgeCoverage(doc, doc.scenarios, { subflows });
  return {
    file,
    flowName: doc.name,
    results,
    coverage: {
      covered: coverage.edges.length - coverage.uncovered.length,
      edges: coverage.edges.length,
    },
  };
}

export function failedCount(files: readonly FileResult[]): number {
  return files.reduce(
    (n, f) => n + (f.error ? 1 : 0) + f.results.filter((r) => !r.passed).length,
    0,
  );
}

/** The lines a person reads: one per scenario, the failures under it, a summary. */
export function report(files: readonly FileResult[], ms: number): string[] {
  const lines: string[] = [];
  let passed = 0;
  for (const f of files) {
    lines.push(`${f.file} — ${f.flowName}`);
    if (f.error) {
      lines.push(`  ✗ ${f.error}`);
      continue;
    }
    if (f.results.length === 0) lines.push('  (no scenarios)');
    for (const r of f.results) {
      if (r.passed) passed += 1;
      lines.push(`  ${r.passed ? '✓' : '✗'} ${r.name} (${r.ms.toFixed(1)} ms)`);
      for (const why of r.failures) lines.push(`      ${why}`);
    }
    if (f.coverage) {
      lines.push(
        `  connections taken by the scenarios: ${f.coverage.covered} of ${f.coverage.edges}`,
      );
    }
  }
  const failed = failedCount(files);
  lines.push(
    `${passed} passed, ${failed} failed, ${files.length} file${files.length === 1 ? '' : 's'}, ${ms.toFixed(0)} ms`,
  );
  return lines;
}

const xml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );

/** JUnit XML, as CI systems read it: a suite per flow file, a test case per scenario. */
export function junit(files: readonly FileResult[], ms: number): string {
  const suites = files.map((f) => {
    const failures = (f.error ? 1 : 0) + f.results.filter((r) => !r.passed).length;
    const time = f.results.reduce((t, r) => t + r.ms, 0) / 1000;
    const cases = f.error
      ? [
          `    <testcase classname="${xml(f.file)}" name="the flow document" time="0"><failure message="${xml(f.error)}"/></testcase>`,
        ]
      : f.results.map((r) => {
          const head = `    <testcase classname="${xml(f.flowName)}" name="${xml(r.name)}" time="${(r.ms / 1000).toFixed(4)}"`;
          if (r.passed) return `${head}/>`;
          const message = r.failures[0] ?? 'failed';
          return `${head}>\n      <failure message="${xml(message)}">${xml(r.failures.join('\n'))}</failure>\n    </testcase>`;
        });
    const tests = f.error ? 1 : f.results.length;
    return [
      `  <testsuite name="${xml(f.file)}" tests="${tests}" failures="${failures}" errors="0" time="${time.toFixed(4)}">`,
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  const tests = files.reduce((n, f) => n + (f.error ? 1 : f.results.length), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="switchboard test" tests="${tests}" failures="${failedCount(files)}" time="${(ms / 1000).toFixed(4)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

export function writeJunit(path: string, files: readonly FileResult[], ms: number): void {
  writeFileSync(path, junit(files, ms));
}
