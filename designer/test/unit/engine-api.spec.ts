import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ENGINE_API_TS,
  OPENAPI_JSON,
  renderEngineApi,
  renderOpenApiJson,
} from '../../scripts/engine-api.js';
import type * as Client from '../../src/api/client.js';

const REGENERATE = 'out of date: run `npm run api -w designer` and commit both files';

// Whether engine/openapi.json is what the engine serves is engine/test/openapi-document.spec.ts.
describe('the generated API types', () => {
  const json = readFileSync(OPENAPI_JSON, 'utf8');

  it('are what openapi-typescript makes of engine/openapi.json', async () => {
    const expected = await renderEngineApi(JSON.parse(json));
    expect(readFileSync(ENGINE_API_TS, 'utf8') === expected, `engine-api.ts ${REGENERATE}`).toBe(
      true,
    );
  });

  it('come from an engine/openapi.json written by the script', async () => {
    expect(json === (await renderOpenApiJson(JSON.parse(json))), `openapi.json ${REGENERATE}`).toBe(
      true,
    );
  });
});

// An alias whose path, method or status no longer exists becomes `never`, which type-checks
// anywhere; `tsc -b` reports these instead.
expectTypeOf<Client.Me>().not.toBeNever();
expectTypeOf<Client.Role>().not.toBeNever();
expectTypeOf<Client.FlowSummary>().not.toBeNever();
expectTypeOf<Client.VersionSummary>().not.toBeNever();
expectTypeOf<Client.FlowDetail['versions']>().not.toBeNever();
expectTypeOf<Client.FlowVersion['version']>().not.toBeNever();
expectTypeOf<Client.EntryPoint>().not.toBeNever();
expectTypeOf<Client.RunDto>().not.toBeNever();
expectTypeOf<Client.RunStatus>().not.toBeNever();
expectTypeOf<Client.RunStep['seq']>().not.toBeNever();
expectTypeOf<Client.RunDetail['awaiting']>().not.toBeNever();
expectTypeOf<Client.TestParticipant>().not.toBeNever();
expectTypeOf<Client.HeardEntry>().not.toBeNever();
expectTypeOf<Client.TestCallRequest>().not.toBeNever();
expectTypeOf<Client.ScriptStep>().not.toBeNever();
expectTypeOf<Client.CalleeBehaviour>().not.toBeNever();
expectTypeOf<Client.TestInput>().not.toBeNever();
expectTypeOf<Awaited<ReturnType<typeof Client.api.saveDraft>>['revision']>().not.toBeNever();
expectTypeOf<Awaited<ReturnType<typeof Client.api.publish>>['version']>().not.toBeNever();
expectTypeOf<Awaited<ReturnType<typeof Client.api.rollback>>['draftRevision']>().not.toBeNever();
expectTypeOf<Awaited<ReturnType<typeof Client.api.validate>>['issues']>().not.toBeNever();
expectTypeOf<Awaited<ReturnType<typeof Client.api.listEntryPoints>>['items']>().not.toBeNever();
expectTypeOf<Awaited<ReturnType<typeof Client.api.listRuns>>['items']>().not.toBeNever();
expectTypeOf<Awaited<ReturnType<typeof Client.api.importFlow>>['draft']>().not.toBeNever();
