/**
 * The generated parts of emulator/README.md: the result-code table (from result-codes.ts),
 * what can be made to fail (injections.ts), and the coverage of the Call Automation spec (the
 * committed list of its names against api-registry.ts). `npm run docs -w emulator` writes
 * them between their markers; a test fails while the README differs from what this renders.
 */
import { readFileSync } from 'node:fs';
import { CALLBACK_EVENTS, EVENT_GRID_EVENTS, IMPLEMENTED_OPERATIONS } from './api-registry.js';
import { INJECTABLE } from './injections.js';
import { resultCodes } from './result-codes.js';

export interface SpecNames {
  apiVersion: string;
  operations: { operationId: string; method: string; path: string }[];
  callbackEvents: string[];
  eventGridEvents: string[];
}

export const SPEC_FILE = new URL('../spec/call-automation-2026-03-12.json', import.meta.url);

export function specNames(): SpecNames {
  return JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as SpecNames;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');
const row = (cells: (string | number)[]) => `| ${cells.map((c) => cell(String(c))).join(' | ')} |`;

function table(head: string[], rows: (string | number)[][]): string {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
}

export function resultCodesMarkdown(): string {
  const codes = table(
    ['Code', 'Sub-code', 'Message', 'Events', 'When', 'Name in `Results`'],
    Object.entries(resultCodes).map(([key, r]) => [
      r.code,
      r.subCode,
      r.message === '' ? '(empty)' : r.message,
      r.events.join(', '),
      r.when,
      `\`${key}\``,
    ]),
  );
  const injectable = table(
    ['`operation`', 'Fails with'],
    Object.entries(INJECTABLE).map(([op, event]) => [`\`${op}\``, event]),
  );
  return `${codes}\n\nWhat result injection can make fail, and the event that reports it:\n\n${injectable}`;
}

export function coverageMarkdown(spec: SpecNames = specNames()): string {
  const ops = new Set<string>(IMPLEMENTED_OPERATIONS);
  const events = new Set<string>(CALLBACK_EVENTS);
  const grid = new Set<string>(EVENT_GRID_EVENTS);
  const status = (yes: boolean) => (yes ? 'implemented' : 'not implemented');
  const opCount = spec.operations.filter((o) => ops.has(o.operationId)).length;
  const eventCount = spec.callbackEvents.filter((e) => events.has(e)).length;
  return [
    `Stable ${spec.apiVersion}: ${opCount} of ${spec.operations.length} operations and ${eventCount} of ${spec.callbackEvents.length} callback events.`,
    '',
    table(
      ['Operation', 'Request', 'Emulator'],
      spec.operations.map((o) => [
        o.operationId,
        `\`${o.method} ${o.path}\``,
        status(ops.has(o.operationId)),
      ]),
    ),
    '',
    table(
      ['Callback event', 'Emulator'],
      spec.callbackEvents.map((e) => [e, status(events.has(e))]),
    ),
    '',
    table(
      ['Event Grid event', 'Emulator'],
      spec.eventGridEvents.map((e) => [e, status(grid.has(e))]),
    ),
  ].join('\n');
}

const SECTIONS = {
  'result-codes': resultCodesMarkdown,
  coverage: () => coverageMarkdown(),
} as const;

/** The README with every generated section re-rendered; throws if a marker is missing. */
export function updateReadme(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const start = `<!-- generated:${name} (npm run docs -w emulator) -->`;
    const end = `<!-- /generated:${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md has no "${start}" … "${end}" markers`);
    out = `${out.slice(0, from + start.length)}\n\n${render()}\n\n${out.slice(to)}`;
  }
  return out;
}
