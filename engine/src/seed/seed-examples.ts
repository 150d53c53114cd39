import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { FlowDocument } from '@switchboard/flow';
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
  'caller-lookup.json': '+18005550101',
};

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
  const files = (await readdir(examplesDir)).filter((f) => f.endsWith('.json')).sort();
  const seeded: SeededFlow[] = [];
  for (const file of files) {
    const doc = JSON.parse(await readFile(join(examplesDir, file), 'utf8')) as FlowDocument;
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
    seeded.push({ file, flowId: flow.id, name: doc.name, version, ...(number ? { number } : {}) });
  }
  return seeded;
}
