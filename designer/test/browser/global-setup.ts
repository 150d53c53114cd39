import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { browserAvailability, buildDesigner, startEngine } from './environment.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The engine serving the built designer, or '' when the browser tests are skipped. */
    engineUrl: string;
    adminPassword: string;
    emulatorUrl: string;
  }
}

/** One built designer and one engine (embedded Postgres) for all the browser test files. */
export default async function setup(project: TestProject) {
  const availability = browserAvailability();
  if (!availability.run) {
    project.provide('engineUrl', '');
    project.provide('adminPassword', '');
    project.provide('emulatorUrl', '');
    return undefined;
  }
  const dist = await mkdtemp(join(tmpdir(), 'switchboard-designer-dist-'));
  await buildDesigner(dist);
  const engine = await startEngine(dist);
  project.provide('engineUrl', engine.url);
  project.provide('adminPassword', engine.adminPassword);
  project.provide('emulatorUrl', engine.emulatorUrl);
  return async () => {
    await engine.stop();
    await rm(dist, { recursive: true, force: true });
  };
}
