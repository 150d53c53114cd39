import 'reflect-metadata';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { callbackRoute, mountAhead } from './acs/callback-route.js';
import { TestAcs } from './acs/test-acs.js';
import { EngineAddress } from './config/engine-address.js';
import { WebhooksService } from './acs/webhooks.service.js';
import { AppModule } from './app.module.js';
import { SESSION_COOKIE } from './auth/auth.service.js';
import { ProblemFilter } from './common/problem.filter.js';
import type { EngineConfig } from './config/config.js';
import {
  type EmbeddedPostgresHandle,
  startEmbeddedPostgres,
} from './database/embedded-postgres.js';
import { migrate } from './database/migrator.js';
import { createLogger, type Logger, PinoNestLogger } from './logging/logger.js';
import { requestLogger } from './logging/request-logger.js';
import { OutboxDispatcher } from './runtime/outbox-dispatcher.js';
import { Reconciler } from './runtime/reconciler.js';
import { RuntimeGauges } from './runtime/runtime-gauges.js';
import { RuntimeService } from './runtime/runtime.service.js';
import {
  jsonBody,
  LOGIN_BODY_LIMIT,
  refuseAnonymousBodies,
  refuseUnsafeUrls,
  WEBHOOK_BODY_LIMIT,
} from './security/body-limits.js';
import { securityHeaders } from './security/security-headers.js';
import { designerStatic } from './static/designer-static.js';
import { UsersService } from './users/users.service.js';

export interface Engine {
  app: NestExpressApplication;
  /** Base URL the engine listens on, e.g. http://127.0.0.1:3000 */
  url: string;
  databaseUrl: string;
  /** Set on the first start of an empty database: print it once. */
  initialAdmin: { username: string; password: string; generated: boolean } | null;
  logger: Logger;
  /** Stops the HTTP server, the database pool and (if we started it) the embedded Postgres. */
  close(): Promise<void>;
}

/**
 * Starts the engine: the database (DATABASE_URL, or the embedded Postgres), migrations, the
 * Nest app with its middleware, error filter and OpenAPI page, then listens.
 */
export async function startEngine(
  config: EngineConfig,
  logger = createLogger(config.logLevel),
): Promise<Engine> {
  let embedded: EmbeddedPostgresHandle | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: join(config.dataDir, 'postgres'),
      port: config.postgresPort,
      logger,
    });
    databaseUrl = embedded.url;
  }
  try {
    await migrate(databaseUrl, config.migrationsDir, logger);
    const app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({ config, databaseUrl, logger }),
      { bodyParser: false, logger: new PinoNestLogger(logger) },
    );
    configureApp(app, config, logger);
    await app.listen(config.port, config.host);
    const initialAdmin = await app.get(UsersService).ensureInitialAdmin();
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    // ACS calls back on the engine itself unless ACS_CALLBACK_BASE_URL says otherwise; the
    // test-call emulator always calls back on loopback.
    app.get(EngineAddress).set(url);
    app.get(TestAcs).setLocalUrl(url);
    let closing: Promise<void> | undefined;
    return {
      app,
      url,
      databaseUrl,
      initialAdmin,
      logger,
      close: () =>
        (closing ??= (async () => {
          // Graceful: stop accepting requests, let in-flight steps commit and send, stop the
          // background loops; anything unsent stays in the outbox for the next start.
          const server = app.getHttpServer();
          const stopped = new Promise<void>((done) => server.close(() => done()));
          server.closeIdleConnections?.();
          await Promise.all([
            app.get(OutboxDispatcher).stop(),
            app.get(Reconciler).stop(),
            app.get(RuntimeGauges).stop(),
          ]);
          await app.get(RuntimeService).drain();
          server.closeAllConnections?.();
          await stopped;
          await app.close();
          await embedded?.stop();
        })()),
    };
  } catch (e) {
    await embedded?.stop();
    throw e;
  }
}

/** Middleware, error filter, static designer and the OpenAPI page. */
export function configureApp(
  app: NestExpressApplication,
  config: EngineConfig,
  logger: Logger,
): void {
  app.disable('x-powered-by');
  // Behind the deployment's proxy every request comes from its address: believe the address it
  // adds to X-Forwarded-For (the client's), and only as many hops as configured — a client
  // cannot choose its address by sending the header itself.
  if (config.trustProxyHops > 0) app.set('trust proxy', config.trustProxyHops);
  app.use(securityHeaders(config.secureCookies));
  app.use(requestLogger(logger));
  const problems = new ProblemFilter(logger);
  const bodyLimit = config.maxDocumentBytes + 64 * 1024;
  // The ACS callback route (the hot path) is answered by the HTTP server, ahead of Express.
  mountAhead(
    app.getHttpServer(),
    callbackRoute(app.get(WebhooksService), problems, logger, WEBHOOK_BODY_LIMIT),
  );
  // Bounded before work: anonymous uploads are refused unread; each route's body is limited
  // while it is read (webhooks 1 MB, login 4 KB, the rest — flow documents — their own limit,
  // checked precisely against SWITCHBOARD_MAX_DOCUMENT_BYTES later), and checked before parsing.
  app.use(refuseUnsafeUrls());
  app.use(refuseAnonymousBodies());
  app.use('/api/acs/events', jsonBody(WEBHOOK_BODY_LIMIT));
  app.use('/api/auth/login', jsonBody(LOGIN_BODY_LIMIT));
  app.use(jsonBody(bodyLimit));
  app.useGlobalFilters(problems);
  const designer = designerStatic(config.designerDir);
  if (designer) app.use(designer);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Switchboard engine')
      .setDescription(
        'Flows, versions, entry points, users and tokens. Errors are application/problem+json; ' +
          'lists answer { items, nextCursor }.',
      )
      .setVersion('1')
      .addBearerAuth()
      .addCookieAuth(SESSION_COOKIE)
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs/openapi.json',
    yamlDocumentUrl: 'api/docs/openapi.yaml',
  });
}
