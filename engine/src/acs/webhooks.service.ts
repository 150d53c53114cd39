import { randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { FlowDocument } from '@switchboard/flow';
import { ProblemException } from '../common/problem.js';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { EntryPointsRepository } from '../entry-points/entry-points.repository.js';
import { LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { type EventSource, RuntimeService } from '../runtime/runtime.service.js';
import { AcsGateway, MalformedEventError } from './acs.gateway.js';
import { CallbackAuth, CallbackAuthError } from './callback-auth.js';
import { TestAcs } from './test-acs.js';

interface IdentifierModel {
  rawId?: string;
  kind?: string;
  phoneNumber?: { value?: string };
  communicationUser?: { id?: string };
}

interface EventGridEvent {
  id?: unknown;
  eventType?: unknown;
  data?: Record<string, unknown>;
}

const badRequest = (detail: string) => new ProblemException(400, 'malformed-event', detail);
const unavailable = () =>
  new ProblemException(503, 'unavailable', 'The engine cannot store this now; retry later');

/** E.164 for phone numbers ("4:+1…" or the phoneNumber model), the raw id for everything else. */
function address(id: IdentifierModel | undefined): string {
  if (!id || typeof id !== 'object') return '';
  const phone = id.phoneNumber?.value;
  if (typeof phone === 'string' && phone) return phone;
  const raw = typeof id.rawId === 'string' ? id.rawId : (id.communicationUser?.id ?? '');
  return raw.startsWith('4:') ? raw.slice(2) : raw;
}

/** The rules of the two webhooks (Event Grid and Call Automation callbacks). */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly gateway: AcsGateway,
    private readonly auth: CallbackAuth,
    private readonly testAcs: TestAcs,
    private readonly runtime: RuntimeService,
    private readonly entryPoints: EntryPointsRepository,
    private readonly metrics: MetricsService,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private checkSecret(given: string | undefined): void {
    const secret = this.config.acs.eventGridSecret;
    if (!secret) return;
    const a = Buffer.from(given ?? '');
    const b = Buffer.from(secret);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new ProblemException(401, 'unauthorized', 'Missing or wrong secret');
    }
  }

  /** Event Grid delivery: the validation handshake, or IncomingCall events. */
  async eventGrid(
    body: unknown,
    eventType: string | undefined,
    secret: string | undefined,
  ): Promise<unknown> {
    this.checkSecret(secret);
    if (!Array.isArray(body) || body.length === 0) {
      throw badRequest('Expected a JSON array of Event Grid events');
    }
    const events = body as EventGridEvent[];
    const validation = events.find(
      (e) => e?.eventType === 'Microsoft.EventGrid.SubscriptionValidationEvent',
    );
    if (validation || eventType === 'SubscriptionValidation') {
      const code = validation?.data?.validationCode;
      if (typeof code !== 'string') throw badRequest('Validation event without validationCode');
      this.logger.info('event grid: subscription validated');
      return { validationResponse: code };
    }
    for (const e of events) {
      if (!e || typeof e !== 'object' || typeof e.eventType !== 'string') {
        throw badRequest('Every event needs an eventType');
      }
    }
    for (const e of events) {
      this.metrics.eventsReceived.inc({
        type: String(e.eventType).replace(/^Microsoft\.\w+\./, ''),
      });
      if (e.eventType !== 'Microsoft.Communication.IncomingCall') {
        this.logger.info({ eventType: e.eventType }, 'event grid: event type ignored');
        continue;
      }
      await this.incomingCall(e);
    }
    return undefined;
  }

  private async incomingCall(e: EventGridEvent): Promise<void> {
    const data = e.data;
    const id = typeof e.id === 'string' ? e.id : '';
    const context = data?.incomingCallContext;
    if (!data || !id || typeof context !== 'string' || !context) {
      throw badRequest('IncomingCall without id, data or incomingCallContext');
    }
    const to = address(data.to as IdentifierModel);
    const from = address(data.from as IdentifierModel);
    const correlationId = typeof data.correlationId === 'string' ? data.correlationId : '';
    const log = this.logger.child({ correlationId, eventId: id });
    const receivedAt = Date.now();
    let resolved;
    try {
      resolved = to ? await this.entryPoints.resolve(to) : null;
    } catch (err) {
      log.error({ err }, 'incoming call: entry point lookup failed');
      throw unavailable();
    }
    if (!resolved) {
      log.warn({ to, from }, 'incoming call to an unknown number: rejected (busy)');
      const r = await this.gateway.rejectUnknown(context, id);
      if (!r.ok)
        log.warn({ code: r.code, message: r.message }, 'rejecting the unknown call failed');
      return;
    }
    const { entryPoint, version } = resolved;
    const runId = randomUUID();
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
          callerDisplayName:
            typeof data.callerDisplayName === 'string' ? data.callerDisplayName : '',
          correlationId,
          serverCallId: typeof data.serverCallId === 'string' ? data.serverCallId : '',
          incomingCallContext: context,
        },
        triggerEventId: `eg:${id}`,
        startedBy: `entryPoint:${entryPoint.address}`,
        receivedAt,
      });
    } catch (err) {
      log.error({ err }, 'incoming call: could not start the run');
      throw unavailable();
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
      parsed = this.gateway.parseCallback(body);
    } catch (e) {
      if (e instanceof MalformedEventError) throw badRequest(e.message);
      throw e;
    }
    const { event, kind, known } = parsed;
    this.metrics.eventsReceived.inc({ type: kind });
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
      throw unavailable();
    }
  }
}
