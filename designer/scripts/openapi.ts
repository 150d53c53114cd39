/**
 * Regenerates engine/openapi.json and src/api/engine-api.ts from the built engine (engine/dist;
 * `npm run api -w designer` builds it first). The engine describes its API only at start-up, in
 * configureApp; starting it for real needs a database, so this builds its Nest app in preview
 * mode — modules and controllers known, no provider created, nothing connected — runs the same
 * configureApp, and reads the document from the route it serves it on, exactly as a client would.
 */
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { ENGINE_API_TS, OPENAPI_JSON, renderEngineApi, renderOpenApiJson } from './engine-api.js';

const engine = new URL('../../engine/', import.meta.url);
const fromEngine = (path: string) => import(new URL(path, engine).href);
// Nest as the engine resolves it: the metadata its decorators recorded lives in that instance.
const nestCore = createRequire(new URL('package.json', engine)).resolve('@nestjs/core');

async function engineDocument(): Promise<unknown> {
  const { configureApp } = await fromEngine('dist/src/app.js');
  const { AppModule } = await fromEngine('dist/src/app.module.js');
  const { loadConfig } = await fromEngine('dist/src/config/config.js');
  const { createLogger } = await fromEngine('dist/src/logging/logger.js');
  const { NestFactory } = await import(pathToFileURL(nestCore).href);

  // Preview mode connects nothing; the URL only satisfies the configuration.
  const config = loadConfig({ DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused' });
  const logger = createLogger('silent');
  const app = await NestFactory.create(
    AppModule.forRoot({ config, databaseUrl: config.databaseUrl, logger }),
    { preview: true, bodyParser: false, logger: false },
  );
  configureApp(app, config, logger);
  // Nest refuses listen() in preview mode; its HTTP server answers the Swagger routes anyway.
  const server = app.getHttpServer() as Server;
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/api/docs/openapi.json`);
    if (!response.ok) throw new Error(`/api/docs/openapi.json answered ${response.status}`);
    return await response.json();
  } finally {
    await new Promise<void>((closed) => server.close(() => closed()));
    await app.close();
  }
}

const document = await engineDocument();
await writeFile(OPENAPI_JSON, await renderOpenApiJson(document));
await writeFile(ENGINE_API_TS, await renderEngineApi(document));
console.log(`wrote ${OPENAPI_JSON}\nwrote ${ENGINE_API_TS}`);
