import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import {
  CallbackDispatcher,
  resolveCallbackDelivery,
  scaledTimeout,
  type CallbackDeliveryOptions,
} from './callbacks.js';
import { handleDemoCrm } from './demo-crm.js';
import { CallModel, type CallModelOptions } from './call-model.js';
import { emulatedCognitiveServicesEndpoint } from './cognitive-services.js';
import { loadOrCreateTlsFiles } from './certificate.js';
import { ControlApi, type ControlInfo } from './control-api.js';
import { ControlClient } from './control-client.js';
import { EndpointRegistry, parseBehaviour, type EndpointBehaviour } from './endpoints.js';
import { AcsHttpError } from './errors.js';
import { EventGridPublisher, eventGridTimeoutEmulatedMs } from './event-grid.js';
import type { EventGridSubscriber } from './event-grid-filters.js';
import { FaultInjector, parseSeed, randomSeed, type Faults } from './faults.js';
import { Deliverer } from './http-client.js';
import { parseIdentityString } from './identifiers.js';
import { readBody, send } from './http-util.js';
import { createJsonLogger, type LogLevel, type Logger } from './logger.js';
import { defaultMediaTiming, type MediaTiming } from './media.js';
import { IdentityApi } from './identity-api.js';
import { Monitor } from './monitor.js';
import { defaultPhoneNumbers, type UnlistedNumbers } from './phone-numbers.js';
import { EmulatedResource } from './resource.js';
import { RestApi } from './rest-api.js';
import { RoomsApi } from './rooms-api.js';
import { Scheduler } from './scheduler.js';
import { CallbackTokenSigner, loadOrCreateSigningKey } from './signing.js';

export interface EmulatorOptions {
  /** HTTP port; 0 (default) picks a free one. */
  port?: number;
  /** Serve HTTPS too (self-signed certificate kept in `dataDir`). Implied by `httpsPort`. */
  https?: boolean;
  /** HTTPS port; 0 picks a free one. */
  httpsPort?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Base64 access key the SDK signs with; default: random. */
  accessKey?: string;
  /** Emulated time → real time factor (0.01 runs a 5 s timeout in 50 ms); default 1. */
  timeScale?: number;
  /** Where the TLS certificate and callback signing key are kept; default ./.data/emulator. */
  dataDir?: string;
  /**
   * Event Grid webhook subscriptions for IncomingCall (validated by handshake first): a URL, or
   * `{ url, filter, schema }` — `filter.to` (numbers or raw ids) or Event Grid advanced filters
   * limit what it gets; `schema: 'CloudEventSchemaV1_0'` delivers CloudEvents 1.0.
   */
  eventGridSubscribers?: (string | EventGridSubscriber)[];
  /**
   * The E.164 numbers the emulated resource owns: its caller ids, and the numbers whose calls
   * reach its applications (IncomingCall). Default +18005550100 to +18005550109.
   */
  phoneNumbers?: string[];
  /**
   * `refuse` (default, as ACS): a caller id or a control-API call to a number not in
   * `phoneNumbers` is a 400. `allow`: any number may be presented or dialled (an emulator whose
   * apps' numbers are not known ahead); calls to unlisted numbers still ring simulated endpoints.
   */
  unlistedNumbers?: UnlistedNumbers;
  /** The emulated ACS resource's immutable id; default derived from the access key. */
  resourceId?: string;
  /** JWT `aud` on callbacks; default `resourceId`. */
  audience?: string;
  /** JWT `iss` on callbacks; default the emulator's HTTP base URL. */
  issuer?: string;
  logger?: Logger;
  /** Level for the built-in JSON logger when no `logger` is given; default 'warn'. */
  logLevel?: LogLevel;
  /** Behaviour of endpoints without their own; default accept after 1000 emulated ms. */
  defaultEndpoint?: Partial<EndpointBehaviour>;
  /** Behaviour per endpoint raw id (or E.164 number). */
  endpoints?: Record<string, Partial<EndpointBehaviour>>;
  /**
   * How callbacks reach the app: the response timeout (real ms; default 5 s emulated, scaled by
   * `timeScale`), the back-off of retries (emulated ms) and how one connection's events are
   * ordered (default `perConnection`). See emulator/README.md, "Callback delivery".
   */
  callbackDelivery?: Partial<CallbackDeliveryOptions>;
  /** Real ms to wait for an Event Grid subscriber; default Event Grid's 30 s, scaled by `timeScale`. */
  eventGridTimeoutMs?: number;
  /**
   * The Cognitive Services endpoints linked to the emulated resource. Default: any https endpoint
   * an app links with `callIntelligenceOptions` works. Given, another one is accepted at call set
   * up but its text-to-speech and speech recognition fail (401/8565), as an unlinked resource
   * does; the first is the one `Emulator.cognitiveServicesEndpoint` advertises.
   */
  cognitiveServicesEndpoints?: string[];
  /**
   * Seeds every random fault decision (drop, duplicate, reorder, action errors), so a run can be
   * repeated; default: a random seed, logged at start and answered by GET /emulator.
   */
  seed?: number;
  /** Reuse one callback JWT for this many real ms (load tests only); default 0 = one per event. */
  callbackTokenReuseMs?: number;
  media?: Partial<MediaTiming>;
  callModel?: Partial<Omit<CallModelOptions, 'media'>>;
  faults?: Partial<Faults>;
}

export interface Emulator {
  /** HTTP base URL, e.g. http://127.0.0.1:4510 (the SDK needs allowInsecureConnection for it). */
  url: string;
  /** HTTPS base URL when HTTPS is on. */
  httpsUrl?: string;
  /** What an app should use: the HTTPS endpoint when HTTPS is on, else the HTTP one. */
  connectionString: string;
  httpConnectionString: string;
  httpsConnectionString?: string;
  accessKey: string;
  resourceId: string;
  /** Callback JWT issuer and audience, for the receiving app's verification. */
  issuer: string;
  audience: string;
  jwksUrl: string;
  openIdConfigUrl: string;
  /** The self-signed certificate to trust via NODE_EXTRA_CA_CERTS (HTTPS only). */
  caCertPath?: string;
  timeScale: number;
  /** The fault RNG's seed (given, or chosen at random). */
  seed: number;
  /** The callback delivery settings in force (timeout in real ms). */
  callbackDelivery: CallbackDeliveryOptions;
  /** A linked Cognitive Services endpoint to pass as callIntelligenceOptions (TTS, speech). */
  cognitiveServicesEndpoint: string;
  control: ControlClient;
  close(): Promise<void>;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((ok) => {
    server.close(() => ok());
    server.closeAllConnections();
  });
}

const hostForUrl = (host: string) =>
  host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

/** A stable resource id per access key, so restarts keep the same JWT audience and user ids. */
function resourceIdFor(accessKey: string): string {
  const h = createHash('sha256').update(`switchboard-acs-emulator:${accessKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const accessKey = options.accessKey ?? randomBytes(32).toString('base64');
  const keyBytes = Buffer.from(accessKey, 'base64');
  if (keyBytes.length === 0) throw new Error('accessKey must be non-empty base64');
  const resourceId = options.resourceId ?? resourceIdFor(accessKey);
  const timeScale = options.timeScale ?? 1;
  const useHttps = options.https === true || options.httpsPort !== undefined;
  const explicitDataDir = options.dataDir !== undefined;
  const dataDir = resolve(options.dataDir ?? '.data/emulator');
  const logger = options.logger ?? createJsonLogger(options.logLevel ?? 'warn');
  // Settings are checked before anything listens, so a bad one leaves nothing running.
  const seed = options.seed === undefined ? randomSeed() : parseSeed(options.seed);
  for (const sub of options.eventGridSubscribers ?? []) {
    const url = typeof sub === 'string' ? sub : sub.url;
    if (!/^https?:\/\//i.test(url)) {
      throw new Error(`eventGridSubscribers: '${url}' is not an http(s) webhook URL`);
    }
  }
  const speechEndpoints = options.cognitiveServicesEndpoints;
  if (speechEndpoints?.length === 0)
    throw new Error('cognitiveServicesEndpoints must not be empty');
  const cognitiveServicesEndpoint = speechEndpoints?.[0] ?? emulatedCognitiveServicesEndpoint;
  const delivery = resolveCallbackDelivery(timeScale, options.callbackDelivery);

  const scheduler = new Scheduler(timeScale);
  const monitor = new Monitor();
  const faults = new FaultInjector(seed);
  if (options.faults) faults.set(options.faults);
  const deliverer = new Deliverer();
  const endpoints = new EndpointRegistry(
    parseBehaviour(options.defaultEndpoint, { onInvite: 'accept', ringMs: 1000 }),
  );
  for (const [id, b] of Object.entries(options.endpoints ?? {})) {
    endpoints.set(parseIdentityString(id).rawId, parseBehaviour(b, endpoints.defaults));
  }

  // Listen first: the issuer, JWKS and validation URLs depend on the ports.
  let handler: http.RequestListener = (_req, res) => send(res, 503);
  const httpServer = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) =>
    handler(req, res),
  );
  const port = await listen(httpServer, options.port ?? 0, host);
  const url = `http://${hostForUrl(host)}:${port}`;

  let httpsServer: https.Server | undefined;
  let httpsUrl: string | undefined;
  let caCertPath: string | undefined;
  if (useHttps) {
    const hosts = ['localhost', '127.0.0.1', '::1'];
    if (!hosts.includes(host) && host !== '0.0.0.0' && host !== '::') hosts.push(host);
    const tls = await loadOrCreateTlsFiles(dataDir, hosts);
    caCertPath = tls.certPath;
    httpsServer = https.createServer(
      { cert: tls.certPem, key: tls.keyPem, keepAliveTimeout: 65_000 },
      (req, res) => handler(req, res),
    );
    const httpsPortNum = await listen(httpsServer, options.httpsPort ?? 0, host);
    httpsUrl = `https://${hostForUrl(host) === '127.0.0.1' ? 'localhost' : hostForUrl(host)}:${httpsPortNum}`;
    if (tls.created) logger.info({ certPath: tls.certPath }, 'created a self-signed certificate');
  }

  const issuer = options.issuer ?? url;
  const audience = options.audience ?? resourceId;
  const jwksUrl = `${url}/calling/keys`;
  const openIdConfigUrl = `${url}/calling/.well-known/acsopenidconfiguration`;
  const signingKey = await loadOrCreateSigningKey(
    explicitDataDir || useHttps ? dataDir : undefined,
  );
  const signer = new CallbackTokenSigner(
    signingKey,
    issuer,
    audience,
    options.callbackTokenReuseMs ?? 0,
  );

  const callbacks = new CallbackDispatcher({
    scheduler,
    signer,
    deliverer,
    faults,
    monitor,
    logger,
    delivery,
  });
  const eventGrid = new EventGridPublisher({
    scheduler,
    deliverer,
    faults,
    monitor,
    logger,
    topic: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/switchboard/providers/Microsoft.Communication/communicationServices/acs-emulator`,
    timeoutMs: options.eventGridTimeoutMs ?? scaledTimeout(eventGridTimeoutEmulatedMs, timeScale),
    validationUrlBase: () => url,
  });
  const resource = new EmulatedResource(
    resourceId,
    {
      phoneNumbers: options.phoneNumbers ?? defaultPhoneNumbers,
      unlistedNumbers: options.unlistedNumbers,
    },
    signer,
  );
  const model = new CallModel({
    scheduler,
    callbacks,
    eventGrid,
    monitor,
    endpoints,
    logger,
    resourceId,
    resource,
    options: {
      connectLatencyMs: 200,
      incomingRingTimeoutMs: 60_000,
      defaultInvitationTimeoutSeconds: 60,
      retainEndedCalls: 1000,
      cognitiveServicesEndpoints: speechEndpoints,
      ...options.callModel,
      media: { ...defaultMediaTiming, ...options.media },
    },
  });

  const connectionStringFor = (base: string) => `endpoint=${base}/;accesskey=${accessKey}`;
  const httpConnectionString = connectionStringFor(url);
  const httpsConnectionString = httpsUrl ? connectionStringFor(httpsUrl) : undefined;
  const connectionString = httpsConnectionString ?? httpConnectionString;
  const info = (): ControlInfo => ({
    url,
    httpsUrl,
    connectionString,
    issuer,
    audience,
    jwksUrl,
    openIdConfigUrl,
    caCertPath,
    timeScale,
    seed,
    callbackDelivery: delivery,
    cognitiveServicesEndpoint,
  });

  const rest = new RestApi({ model, accessKey: keyBytes, faults, monitor, logger });
  const identityApi = new IdentityApi({ resource, accessKey: keyBytes, logger });
  const roomsApi = new RoomsApi({ resource, accessKey: keyBytes, logger });
  const control = new ControlApi({
    model,
    endpoints,
    faults,
    eventGrid,
    monitor,
    callbacks,
    resource,
    info,
  });
  const under = (path: string, root: string) => path === root || path.startsWith(`${root}/`);

  handler = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/calling/keys') return send(res, 200, signer.jwks());
    if (under(path, '/demo') && handleDemoCrm(req.method ?? 'GET', path, res)) return;
    if (req.method === 'GET' && path === '/calling/.well-known/acsopenidconfiguration') {
      return send(res, 200, signer.openIdConfiguration(jwksUrl));
    }
    readBody(req).then(
      (body) => {
        if (path.startsWith('/calling/')) rest.handle(req, res, body, url);
        else if (under(path, '/identities')) identityApi.handle(req, res, body, url);
        else if (under(path, '/rooms')) roomsApi.handle(req, res, body, url);
        else if (under(path, '/emulator')) control.handle(req, res, body, url);
        else send(res, 404, { error: { code: 'NotFound', message: `No route for ${path}.` } });
      },
      (e: unknown) => {
        const err = e instanceof AcsHttpError ? e : new AcsHttpError(400, 'BadRequest', String(e));
        if (!res.headersSent) send(res, err.status, err.body());
      },
    );
  };

  for (const sub of options.eventGridSubscribers ?? []) eventGrid.add(sub);
  logger.info({ url, httpsUrl, resourceId, timeScale, seed }, 'ACS emulator listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    httpsUrl,
    connectionString,
    httpConnectionString,
    httpsConnectionString,
    accessKey,
    resourceId,
    issuer,
    audience,
    jwksUrl,
    openIdConfigUrl,
    caCertPath,
    timeScale,
    seed,
    callbackDelivery: delivery,
    cognitiveServicesEndpoint,
    control: new ControlClient(url),
    close() {
      closing ??= (async () => {
        scheduler.close();
        model.close();
        callbacks.close();
        eventGrid.close();
        control.close();
        await Promise.all([
          closeServer(httpServer),
          httpsServer ? closeServer(httpsServer) : undefined,
        ]);
        deliverer.close();
      })();
      return closing;
    },
  };
}
