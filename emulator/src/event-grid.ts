import { randomUUID } from 'node:crypto';
import { parseBody } from './body-schema.js';
import { badRequest } from './errors.js';
import {
  type CompiledFilter,
  type EventGridSubscriber,
  type EventSchema,
  type ParsedFilter,
  SchemaField,
  SubscriptionFilterSchema,
  compileFilter,
  matches,
} from './event-grid-filters.js';
import type { FaultInjector } from './faults.js';
import type { Deliverer } from './http-client.js';
import type { Logger } from './logger.js';
import type { Monitor, Timeline } from './monitor.js';
import type { Scheduler } from './scheduler.js';

export interface EventGridEvent {
  id: string;
  topic: string;
  subject: string;
  data: Record<string, unknown>;
  eventType: string;
  dataVersion: string;
  metadataVersion: '1';
  eventTime: string;
}

/** The same event in the CloudEvents 1.0 schema, as Event Grid delivers it to such a subscription. */
export interface CloudEventsEvent {
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  specversion: '1.0';
  data: Record<string, unknown>;
}

export type SubscriptionStatus = 'validating' | 'validated' | 'failed';

export interface SubscriptionInfo {
  name: string;
  url: string;
  schema: EventSchema;
  /** As given, `to` read as raw ids; absent = every event. */
  filter?: ParsedFilter;
  status: SubscriptionStatus;
  validationCode: string;
  delivered: number;
  failed: number;
}

interface Subscription extends SubscriptionInfo {
  compiled: CompiledFilter;
  ready: Promise<boolean>;
  settle: (ok: boolean) => void;
  removed: boolean;
}

/** What Event Grid names itself in the CloudEvents abuse-protection handshake. */
export const EVENT_GRID_ORIGIN = 'eventgrid.azure.net';

/** Event Grid's documented retry schedule (emulated ms); it gives up after 24 hours. */
export const eventGridRetryScheduleMs = (() => {
  const m = 60_000;
  const h = 60 * m;
  const s = [10_000, 30_000, m, 5 * m, 10 * m, 30 * m, h, 3 * h, 6 * h];
  let total = s.reduce((a, b) => a + b, 0);
  while (total + 12 * h <= 24 * h) {
    s.push(12 * h);
    total += 12 * h;
  }
  return s;
})();

/** Event Grid's documented response timeout (emulated ms). */
export const eventGridTimeoutEmulatedMs = 30_000;

/** Event Grid treats only 200–204 as delivered, and never retries these. */
const isSuccess = (s?: number) => s !== undefined && s >= 200 && s <= 204;
const noRetry = new Set([400, 401, 403, 413]);

export class EventGridPublisher {
  private readonly subs = new Map<string, Subscription>();
  private added = 0;
  private closed = false;

  constructor(
    private readonly deps: {
      scheduler: Scheduler;
      deliverer: Deliverer;
      faults: FaultInjector;
      monitor: Monitor;
      logger: Logger;
      topic: string;
      /** Real ms to wait for a subscriber's answer (Event Grid's 30 s, scaled, by default). */
      timeoutMs: number;
      /** Where subscribers can validate manually (GET), like Event Grid's validationUrl. */
      validationUrlBase: () => string;
    },
  ) {}

  list(): SubscriptionInfo[] {
    return [...this.subs.values()].map(this.info);
  }

  private info = ({
    name,
    url,
    schema,
    filter,
    status,
    validationCode,
    delivered,
    failed,
  }: Subscription): SubscriptionInfo => ({
    name,
    url,
    schema,
    ...(filter ? { filter } : {}),
    status,
    validationCode,
    delivered,
    failed,
  });

  /**
   * Adds a webhook subscription (a URL, or one with a filter and a schema) and starts its
   * validation: the SubscriptionValidation event, or the CloudEvents OPTIONS handshake. The same
   * URL added again with other settings replaces the subscription.
   */
  add(input: string | EventGridSubscriber): SubscriptionInfo {
    const spec = typeof input === 'string' ? { url: input } : input;
    let url: string;
    try {
      url = new URL(spec.url).href;
    } catch {
      throw badRequest(`Invalid subscription url '${spec.url}'.`);
    }
    if (!/^https?:$/.test(new URL(url).protocol)) {
      throw badRequest(`Subscription url '${spec.url}' must be http(s).`);
    }
    const filter =
      spec.filter === undefined ? undefined : parseBody(SubscriptionFilterSchema, spec.filter);
    const schema =
      spec.schema === undefined ? 'EventGridSchema' : parseBody(SchemaField, spec.schema);
    const existing = this.subs.get(url);
    if (existing && !existing.removed) {
      if (
        existing.schema === schema &&
        JSON.stringify(existing.filter) === JSON.stringify(filter)
      ) {
        return this.info(existing);
      }
      this.remove(url);
    }
    let settle!: (ok: boolean) => void;
    const ready = new Promise<boolean>((r) => (settle = r));
    const sub: Subscription = {
      name: `SWITCHBOARD-${++this.added}`,
      url,
      schema,
      filter,
      compiled: compileFilter(filter),
      status: 'validating',
      validationCode: randomUUID(),
      delivered: 0,
      failed: 0,
      ready,
      settle,
      removed: false,
    };
    this.subs.set(url, sub);
    void (schema === 'CloudEventSchemaV1_0' ? this.validateByOptions(sub) : this.validate(sub));
    return this.info(sub);
  }

  /** Whether some live subscription would get this event (an ACS user's calls go to its app). */
  wouldDeliver(eventType: string, subject: string, data: Record<string, unknown>): boolean {
    const { topic } = this.deps;
    // Both schemas' keys at once: a filter's key names one or the other.
    const envelope = { eventType, type: eventType, subject, topic, source: topic, data };
    for (const sub of this.subs.values()) {
      if (sub.removed || sub.status === 'failed') continue;
      if (matches(sub.compiled, eventType, envelope)) return true;
    }
    return false;
  }

  remove(rawUrl: string): boolean {
    let url: string;
    try {
      url = new URL(rawUrl).href;
    } catch {
      return false;
    }
    const sub = this.subs.get(url);
    if (!sub) return false;
    sub.removed = true;
    sub.settle(false);
    this.subs.delete(url);
    return true;
  }

  /** The manual path: a GET on the validationUrl validates the subscription. */
  validateManually(code: string): boolean {
    for (const sub of this.subs.values()) {
      if (sub.validationCode === code && sub.status !== 'validated') {
        this.markValidated(sub, 'validationUrl');
        return true;
      }
    }
    return false;
  }

  private markValidated(sub: Subscription, how: string): void {
    sub.status = 'validated';
    sub.settle(true);
    this.deps.monitor.record(undefined, {
      kind: 'eventGrid',
      type: 'SubscriptionValidated',
      url: sub.url,
      how,
    });
    this.deps.logger.info({ url: sub.url, how }, 'event grid subscription validated');
  }

  private async validate(sub: Subscription): Promise<void> {
    const { deliverer, monitor, scheduler, topic, timeoutMs, logger } = this.deps;
    const event: EventGridEvent = {
      id: randomUUID(),
      topic,
      subject: '',
      data: {
        validationCode: sub.validationCode,
        validationUrl: `${this.deps.validationUrlBase()}/emulator/eventgrid/validate?id=${sub.validationCode}`,
      },
      eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
      dataVersion: '1',
      metadataVersion: '1',
      eventTime: new Date().toISOString(),
    };
    const body = JSON.stringify([event]);
    // Unlike Azure, keep retrying the handshake on the delivery schedule: locally the app often
    // starts after the emulator.
    for (let attempt = 1; !sub.removed && !this.closed && sub.status === 'validating'; attempt++) {
      const res = await deliverer.post(
        new URL(sub.url),
        body,
        {
          'aeg-event-type': 'SubscriptionValidation',
          'aeg-subscription-name': sub.name,
          'aeg-data-version': '1',
          'aeg-metadata-version': '1',
          'aeg-delivery-count': String(attempt - 1),
        },
        timeoutMs,
        true,
      );
      let answered: unknown;
      try {
        answered = res.body
          ? (JSON.parse(res.body) as { validationResponse?: unknown })
          : undefined;
      } catch {
        answered = undefined;
      }
      const code = (answered as { validationResponse?: unknown } | undefined)?.validationResponse;
      monitor.record(undefined, {
        kind: 'eventGrid',
        type: 'SubscriptionValidation',
        url: sub.url,
        attempt,
        status: res.status,
        error: res.error,
        validationResponse: code,
      });
      if (sub.status !== 'validating') return;
      if (res.status === 200 && code === sub.validationCode) {
        this.markValidated(sub, 'handshake');
        return;
      }
      const delay = eventGridRetryScheduleMs[attempt - 1];
      if (delay === undefined) break;
      logger.debug({ url: sub.url, status: res.status, attempt }, 'validation not answered yet');
      await scheduler.sleep(delay);
    }
    this.giveUp(sub);
  }

  private giveUp(sub: Subscription): void {
    if (sub.status !== 'validating') return;
    sub.status = 'failed';
    sub.settle(false);
    this.deps.logger.warn({ url: sub.url }, 'event grid subscription validation failed');
  }

  /**
   * CloudEvents 1.0 abuse protection, which Event Grid uses instead of the validation event for
   * CloudEvents subscriptions: an OPTIONS naming the sender in WebHook-Request-Origin, answered
   * 200 with WebHook-Allowed-Origin (that origin, or `*`). Retried like the validation event.
   */
  private async validateByOptions(sub: Subscription): Promise<void> {
    const { deliverer, monitor, scheduler, timeoutMs } = this.deps;
    for (let attempt = 1; !sub.removed && !this.closed && sub.status === 'validating'; attempt++) {
      const res = await deliverer.request(
        'OPTIONS',
        new URL(sub.url),
        '',
        { 'webhook-request-origin': EVENT_GRID_ORIGIN, 'webhook-request-rate': '120' },
        timeoutMs,
      );
      const allowed = res.headers?.['webhook-allowed-origin'];
      const origin = Array.isArray(allowed) ? allowed[0] : allowed;
      monitor.record(undefined, {
        kind: 'eventGrid',
        type: 'SubscriptionValidation',
        method: 'OPTIONS',
        url: sub.url,
        attempt,
        status: res.status,
        error: res.error,
        allowedOrigin: origin,
      });
      if (sub.status !== 'validating') return;
      if (res.status === 200 && (origin === EVENT_GRID_ORIGIN || origin === '*')) {
        this.markValidated(sub, 'options');
        return;
      }
      const delay = eventGridRetryScheduleMs[attempt - 1];
      if (delay === undefined) break;
      await scheduler.sleep(delay);
    }
    this.giveUp(sub);
  }

  publish(
    eventType: string,
    subject: string,
    data: Record<string, unknown>,
    call?: Timeline,
  ): EventGridEvent {
    const event: EventGridEvent = {
      id: randomUUID(),
      topic: this.deps.topic,
      subject,
      data,
      eventType,
      dataVersion: '1.0',
      metadataVersion: '1',
      eventTime: new Date().toISOString(),
    };
    let cloud: { envelope: CloudEventsEvent; body: string } | undefined;
    let grid: { envelope: EventGridEvent; body: string } | undefined;
    const as = (schema: EventSchema) => {
      if (schema === 'EventGridSchema')
        return (grid ??= { envelope: event, body: JSON.stringify([event]) });
      if (!cloud) {
        const envelope: CloudEventsEvent = {
          id: event.id,
          source: event.topic,
          type: eventType,
          subject,
          time: event.eventTime,
          specversion: '1.0',
          data,
        };
        cloud = { envelope, body: JSON.stringify([envelope]) };
      }
      return cloud;
    };
    const { faults, scheduler, monitor } = this.deps;
    for (const sub of this.subs.values()) {
      const delivered = as(sub.schema);
      if (!matches(sub.compiled, eventType, delivered.envelope)) {
        monitor.record(call, {
          kind: 'eventGrid',
          type: eventType,
          eventId: event.id,
          url: sub.url,
          filtered: true,
        });
        continue;
      }
      if (faults.shouldDrop()) {
        monitor.record(call, {
          kind: 'eventGrid',
          type: eventType,
          eventId: event.id,
          url: sub.url,
          dropped: true,
        });
        continue;
      }
      const copies = faults.copies();
      for (let copy = 1; copy <= copies; copy++) {
        const { ms } = faults.delay();
        const go = () => void this.deliver(sub, delivered.envelope, delivered.body, call, copy);
        if (ms > 0) scheduler.after(ms, go);
        else go();
      }
    }
    return event;
  }

  private async deliver(
    sub: Subscription,
    event: EventGridEvent | CloudEventsEvent,
    body: string,
    call: Timeline | undefined,
    copy: number,
  ): Promise<void> {
    const { deliverer, monitor, scheduler, timeoutMs, logger } = this.deps;
    if (!(await sub.ready)) return;
    const cloud = sub.schema === 'CloudEventSchemaV1_0';
    const type = 'type' in event ? event.type : event.eventType;
    for (let attempt = 1; !sub.removed && !this.closed; attempt++) {
      const res = await deliverer.post(
        new URL(sub.url),
        body,
        {
          ...(cloud
            ? {
                'content-type': 'application/cloudevents-batch+json; charset=utf-8',
                origin: EVENT_GRID_ORIGIN,
              }
            : {
                'aeg-data-version': (event as EventGridEvent).dataVersion,
                'aeg-metadata-version': '1',
              }),
          'aeg-event-type': 'Notification',
          'aeg-subscription-name': sub.name,
          'aeg-delivery-count': String(attempt - 1),
        },
        timeoutMs,
      );
      monitor.record(call, {
        kind: 'eventGrid',
        type,
        eventId: event.id,
        url: sub.url,
        attempt,
        copy,
        status: res.status,
        error: res.error,
        ...(res.timedOut ? { timeoutMs } : {}),
        ...(attempt === 1 && copy === 1 ? { event } : {}),
      });
      if (isSuccess(res.status)) {
        sub.delivered++;
        return;
      }
      const delay = eventGridRetryScheduleMs[attempt - 1];
      if ((res.status !== undefined && noRetry.has(res.status)) || delay === undefined) {
        sub.failed++;
        logger.warn(
          { url: sub.url, eventId: event.id, status: res.status, attempt },
          'event grid delivery dropped',
        );
        return;
      }
      await scheduler.sleep(delay);
    }
  }

  close(): void {
    this.closed = true;
    for (const sub of this.subs.values()) sub.settle(false);
  }
}
