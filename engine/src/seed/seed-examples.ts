import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { flowReferencesOf, nodeTypeOf, type FlowDocument } from '@switchboard/flow';
import type { Principal } from '../auth/principal.js';
import { EntryPointsRepository } from '../entry-points/entry-points.repository.js';
import { FlowsRepository } from '../flows/flows.repository.js';
import { EntryPointsService } from '../entry-points/entry-points.service.js';
import { FlowsService } from '../flows/flows.service.js';
import { ProblemException } from '../common/problem.js';
import { EnvironmentService } from '../environment/environment.service.js';

/** Example flows bound to example numbers by `npm start` (outbound flows get no number). */
export const EXAMPLE_NUMBERS: Record<string, string> = {
  'main-ivr.json': '+18005550100',
  'support-line.json': '+18005550101',
  'caller-lookup.json': '+18005550102',
};

const stem = (file: string) => file.replace(/\.json$/, '');

/**
 * Examples call each other's flows by file name (`verify-caller`), as `switchboard test` finds
 * them; imported, each such reference is the seeded flow's id. Called flows are imported first.
 */
function linkExamples(doc: FlowDocument, ids: ReadonlyMap<string, string>): FlowDocument {
  const nodes = doc.nodes.map((n) => {
    const refs = nodeTypeOf(n)?.flowReferences;
    if (!refs) return n;
    const config = structuredClone(n.config);
    for (const ref of flowReferencesOf({ ...doc, nodes: [n] })) {
      const id = ids.get(ref.flowId);
      if (!id) continue;
      let at: Record<string | number, unknown> = config;
      for (const key of ref.path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
      at[ref.path[ref.path.length - 1] as string] = id;
    }
    return { ...n, config };
  });
  return { ...doc, nodes };
}

/** Files in an order where every file comes after the examples it calls. */
function calledFirst(files: string[], docs: Map<string, FlowDocument>): string[] {
  const out: string[] = [];
  const visit = (file: string, on: Set<string>) => {
    if (out.includes(file) || on.has(file)) return;
    on.add(file);
    for (const ref of flowReferencesOf(docs.get(file)!)) {
      const called = `${ref.flowId}.json`;
      if (docs.has(called)) visit(called, on);
    }
    out.push(file);
  };
  for (const f of files) visit(f, new Set());
  return out;
}

const SYSTEM: Principal = {
  kind: 'user',
  id: 'system',
  name: 'seed',
  role: 'admin',
  actor: 'system:seed',
};

export interface SeededFlow {
  file: string;
  flowId: string;
  name: string;
  version: number;
  number?: string;
}

/**
 * Imports `flow/examples/*.json` as published flows (once: a flow with the same name is reused)
 * and binds the example numbers. Idempotent across restarts.
 */
export async function seedExamples(
  app: INestApplication,
  examplesDir: string,
  /** The emulator's demo CRM (`npm start` with the local emulator): CRM_URL, unless set. */
  demoCrmUrl?: string,
): Promise<SeededFlow[]> {
  const environment = app.get(EnvironmentService);
  if (demoCrmUrl && !(await environment.names()).values.includes('CRM_URL')) {
    await environment.putValue('CRM_URL', demoCrmUrl, SYSTEM);
  }
  const repo = app.get(FlowsRepository);
  const bindings = app.get(EntryPointsRepository);
  const flows = app.get(FlowsService);
  const entryPoints = app.get(EntryPointsService);
  const names = (await readdir(examplesDir)).filter((f) => f.endsWith('.json')).sort();
  const docs = new Map<string, FlowDocument>();
  for (const file of names) {
    docs.set(file, JSON.parse(await readFile(join(examplesDir, file), 'utf8')) as FlowDocument);
  }
  const ids = new Map<string, string>();
  const seeded: SeededFlow[] = [];
  for (const file of calledFirst(names, docs)) {
    const doc = linkExamples(docs.get(file)!, ids);
    let flow = await repo.findByName(doc.name);
    let version = flow?.versions[0]?.version;
    if (!flow) {
      const imported = await flows.import(doc, SYSTEM);
      flow = await repo.find(imported.flow.id);
      if (!flow) throw new Error(`the imported example ${file} is gone`);
    }
    if (version === undefined) {
      try {
        version = (await flows.publish(flow.id, { comment: 'example' }, SYSTEM)).version;
      } catch (e) {
        // e.g. caller-lookup without a CRM_URL in this environment: left as a draft.
        if (e instanceof ProblemException) continue;
        throw e;
      }
    }
    const number = EXAMPLE_NUMBERS[file];
    if (number) {
      const bound = await bindings.find(number);
      if (!bound) await entryPoints.bind(number, { flowId: flow.id }, SYSTEM);
    }
    ids.set(stem(file), flow.id);
    seeded.push({ file, flowId: flow.id, name: doc.name, version, ...(number ? { number } : {}) });
  }
  return seeded;
}
