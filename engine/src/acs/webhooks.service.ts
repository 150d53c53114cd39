import { runIdForEvent } from '../runtime/run-ids.js';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { FlowDocument } from '@switchboard/flow';
import { ProblemException } from '../common/problem.js';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { EntryPointsRepository } from '../entry-points/entry-points.repository.js';
import { LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { type EventSource, RuntimeService } from '../runtime/runtime.service.js';
import { DeadLettersService } from '../dead-letters/dead-letters.service.js';
import { isDatabaseUnavailable } from '../database/errors.js';
import {
  type IncomingCall,
  MalformedEventError,
  parseCallback,
  parseEventGrid,
} from './acs-inbound.js';
import { AcsGateway } from './acs.gateway.js';
import { CallbackAuth, CallbackAuthError } from './callback-auth.js';
import { EventGridAuth, EventGridAuthError } from './event-grid-auth.js';
import { TestAcs } from './test-acs.js';

const badRequest = (detail: string) => new ProblemException(400, 'malformed-event', detail);
const unavailable = () =>
  new ProblemException(503, 'unavailable', 'The engine cannot store this now; retry later', {
    retryAfter: 5,
  });

/**
 * A failure a retry can fix (the database or the network away, a timeout): answered 503 so the
 * sender retries. Anything else is permanent: retrying would loop, so the event is parked.
 */
const isTransient = (e: unknown) =>
  isDatabaseUnavailable(e) || /\btimeout\b|timed out/i.test(String((e as Error)?.message ?? e));

/** The rules of the two webhooks (Event Grid and Call Automation callbacks). */
@Injectable()
export class WebhooksService implements OnModuleInit {
  constructor(
    private readonly gateway: AcsGateway,
    private readonly auth: CallbackAuth,
    private readonly testAcs: TestAcs,
    private readonly gridAuth: EventGridAuth,
    private readonly runtime: RuntimeService,
    private readonly entryPoints: EntryPointsRepository,
    private readonly metrics: MetricsService,
    private readonly deadLetters: DeadLettersService,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    if (this.gridAuth.mode === 'none' && this.config.acs.connectionString) {
      this.logger.warn(
        'Event Grid deliveries are not authenticated (ACS_EVENTGRID_AUTH=none): anyone who can reach /api/acs/events can start runs. For local experiments only.',
      );
    }
    if (this.config.acs.connectionString && !this.config.acs.cognitiveServicesEndpoint) {
      this.logger.warn(
        'ACS_COGNITIVE_SERVICES_ENDPOINT is not set: ACS refuses text prompts (text-to-speech) and speech recognition on calls without a Cognitive Services resource, so flows that use them will fail. Audio files and DTMF work.',
      );
    }
  }

  /** Event Grid delivery: the validation handshake, or IncomingCall events. */
  async eventGrid(
    body: unknown,
    eventType: string | undefined,
    secret: string | undefined,
    authorization?: string,
  ): Promise<unknown> {
    try {
      await this.gridAuth.verify(secret, authorization);
    } catch (e) {
      if (!(e instanceof EventGridAuthError)) throw e;
      this.logger.warn({ reason: e.message }, 'event grid delivery refused');
      throw new ProblemException(401, 'unauthorized', `Event Grid delivery refused: ${e.message}`);
    }
    let delivery;
    try {
      delivery = parseEventGrid(body, eventType);
    } catch (e) {
      if (e instanceof MalformedEventError) throw badRequest(e.message);
      throw e;
    }
    if (delivery.kind === 'validation') {
      this.logger.info('event grid: subscription validated');
      return { validationResponse: delivery.validationCode };
    }
    for (const e of delivery.events) {
      // Labels only from types the engine knows: a label per made-up type would grow /metrics.
      this.metrics.eventsReceived.inc({ type: 'call' in e ? 'IncomingCall' : 'other' });
      if (!('call' in e)) {
        this.logger.info({ eventType: e.type }, 'event grid: event type ignored');
        continue;
      }
      try {
        await this.incomingCall(e.call);
      } catch (err) {
        if (err instanceof ProblemException || isTransient(err)) throw err;
        await this.park('eventGrid', 'IncomingCall', e.call.id, body, err);
      }
    }
    return undefined;
  }

  /** Parks an event that can never be applied; if even that fails, the sender retries. */
  private async park(
    source: 'callback' | 'eventGrid',
    eventType: string,
    eventId: string | undefined,
    raw: unknown,
    err: unknown,
  ): Promise<void> {
    try {
      await this.deadLetters.park({
        source,
        eventType,
        ...(eventId ? { eventId } : {}),
        raw,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
    } catch (e) {
      this.logger.error({ err: e, eventId }, 'could not park an event');
      throw unavailable();
    }
  }

  private async incomingCall(call: IncomingCall): Promise<void> {
    const { id, from, to, correlationId } = call;
    const context = call.incomingCallContext;
    const log = this.logger.child({ correlationId, eventId: id });
    const receivedAt = Date.now();
    let resolved;
    try {
      resolved = to ? await this.entryPoints.resolve(to) : null;
    } catch (err) {
      log.error({ err }, 'incoming call: entry point lookup failed');
      if (isTransient(err)) throw unavailable();
      throw err;
    }
    if (!resolved) {
      log.warn({ to, from }, 'incoming call to an unknown number: rejected (busy)');
      const r = await this.gateway.rejectUnknown(context, id);
      if (!r.ok)
        log.warn({ code: r.code, message: r.message }, 'rejecting the unknown call failed');
      return;
    }
    const { entryPoint, version } = resolved;
    const triggerEventId = `eg:${id}`;
    const runId = runIdForEvent(triggerEventId);
    try {
      await this.runtime.startRun({
        flowId: entryPoint.flowId,
        flowVersionId: version.id,
        version: version.version,
        document: version.document as unknown as FlowDocument,
        trigger: {
          kind: 'incomingCall',
          runId,
          from,
          to,
          callerDisplayName: call.callerDisplayName,
          correlationId,
          serverCallId: call.serverCallId,
          incomingCallContext: context,
        },
        triggerEventId,
        startedBy: `entryPoint:${entryPoint.address}`,
        receivedAt,
      });
    } catch (err) {
      log.error({ err }, 'incoming call: could not start the run');
      if (isTransient(err)) throw unavailable();
      throw err;
    }
  }

  /**
   * A Call Automation callback: verify, parse, apply exactly once. `testAcs`: from the test-call
   * emulator (its own keys; it can only move test runs).
   */
  async callback(
    authorization: string | undefined,
    body: unknown,
    source: EventSource = 'acs',
  ): Promise<void> {
    const receivedAt = Date.now();
    try {
      if (source === 'testAcs') await this.testAcs.verify(authorization);
      else await this.auth.verify(authorization);
    } catch (e) {
      if (e instanceof CallbackAuthError) {
        this.logger.warn({ reason: e.message }, 'callback refused: bad token');
        throw new ProblemException(401, 'unauthorized', `Callback token refused: ${e.message}`);
      }
      this.logger.error({ err: e }, 'callback: keys unavailable');
      throw unavailable();
    }
    let parsed;
    try {
      parsed = parseCallback(body);
    } catch (e) {
      if (!(e instanceof MalformedEventError)) throw e;
      // Authenticated but unreadable: ACS will never send it differently. Kept, and refused.
      await this.park('callback', 'unreadable', rawEventId(body), body, e);
      throw badRequest(e.message);
    }
    const { event, kind, known } = parsed;
    this.metrics.eventsReceived.inc({ type: known ? kind : 'other' });
    if (!known) {
      this.logger.info(
        {
          type: kind,
          eventId: event.id,
          callConnectionId: event.callConnectionId,
          correlationId: event.correlationId,
        },
        'callback of a type the flows do not use: ignored',
      );
      return;
    }
    try {
      await this.runtime.apply(event, receivedAt, source);
    } catch (err) {
      this.logger.error(
        {
          err,
          eventId: event.id,
          type: kind,
          callConnectionId: event.callConnectionId,
          correlationId: event.correlationId,
        },
        'callback could not be applied',
      );
      if (isTransient(err)) throw unavailable();
      // A bug or an event that can never be stored: parked, and answered 200 so ACS stops.
      await this.park('callback', kind, event.id, body, err);
    }
  }
}

/** The CloudEvent id of an unreadable callback body, if it has one. */
function rawEventId(body: unknown): string | undefined {
  const first = Array.isArray(body) ? (body[0] as { id?: unknown } | undefined) : undefined;
  return typeof first?.id === 'string' ? first.id : undefined;
}
