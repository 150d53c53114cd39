import { randomUUID } from 'node:crypto';
import type { FaultInjector } from './faults.js';
import { badRequest } from './errors.js';
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

export type SubscriptionStatus = 'validating' | 'validated' | 'failed';

export interface SubscriptionInfo {
  name: string;
  url: string;
  status: SubscriptionStatus;
  validationCode: string;
  delivered: number;
  failed: number;
}

interface Subscription extends SubscriptionInfo {
  ready: Promise<boolean>;
  settle: (ok: boolean) => void;
  removed: boolean;
}

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
    return [...this.subs.values()].map(
      ({ name, url, status, validationCode, delivered, failed }) => ({
        name,
        url,
        status,
        validationCode,
        delivered,
        failed,
      }),
    );
  }

  /** Adds a webhook subscription and starts the SubscriptionValidation handshake. */
  add(rawUrl: string): SubscriptionInfo {
    const parsed = new URL(rawUrl);
    // Event Grid delivers to https webhooks; plain http stays allowed for local apps.
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw badRequest(
        `Invalid subscription url '${rawUrl}': only http(s) webhooks are supported.`,
      );
    }
    const url = parsed.href;
    const existing = this.subs.get(url);
    if (existing && !existing.removed) return this.list().find((s) => s.url === url)!;
    let settle!: (ok: boolean) => void;
    const ready = new Promise<boolean>((r) => (settle = r));
    const sub: Subscription = {
      name: `SWITCHBOARD-${this.subs.size + 1}`,
      url,
      status: 'validating',
      validationCode: randomUUID(),
      delivered: 0,
      failed: 0,
      ready,
      settle,
      removed: false,
    };
    this.subs.set(url, sub);
    void this.validate(sub);
    return this.list().find((s) => s.url === url)!;
  }

  remove(rawUrl: string): boolean {
    const url = new URL(rawUrl).href;
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
    if (sub.status === 'validating') {
      sub.status = 'failed';
      sub.settle(false);
      logger.warn({ url: sub.url }, 'event grid subscription validation failed');
    }
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
    const body = JSON.stringify([event]);
    const { faults, scheduler, monitor } = this.deps;
    for (const sub of this.subs.values()) {
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
        const go = () => void this.deliver(sub, event, body, call, copy);
        if (ms > 0) scheduler.after(ms, go);
        else go();
      }
    }
    return event;
  }

  private async deliver(
    sub: Subscription,
    event: EventGridEvent,
    body: string,
    call: Timeline | undefined,
    copy: number,
  ): Promise<void> {
    const { deliverer, monitor, scheduler, timeoutMs, logger } = this.deps;
    if (!(await sub.ready)) return;
    for (let attempt = 1; !sub.removed && !this.closed; attempt++) {
      const res = await deliverer.post(
        new URL(sub.url),
        body,
        {
          'aeg-event-type': 'Notification',
          'aeg-subscription-name': sub.name,
          'aeg-data-version': event.dataVersion,
          'aeg-metadata-version': '1',
          'aeg-delivery-count': String(attempt - 1),
        },
        timeoutMs,
      );
      monitor.record(call, {
        kind: 'eventGrid',
        type: event.eventType,
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
