import { randomUUID } from 'node:crypto';
import type { FaultInjector } from './faults.js';
import type { Deliverer } from './http-client.js';
import type { Logger } from './logger.js';
import type { Monitor, Timeline } from './monitor.js';
import type { Scheduler } from './scheduler.js';
import type { CallbackTokenSigner } from './signing.js';

export interface CloudEvent {
  id: string;
  source: string;
  type: string;
  data: Record<string, unknown>;
  time: string;
  specversion: '1.0';
  datacontenttype: 'application/json';
  subject: string;
}

/**
 * How the events of one call connection are sequenced.
 * - `perConnection`: an event is not sent before the previous event of its connection has had
 *   its first attempt answered or timed out. A healthy app sees CallConnected before
 *   ParticipantsUpdated, as it does from ACS; a slow or silent app delays the next event by at
 *   most one response timeout, and retries never hold anything back.
 * - `none`: every event is sent the moment it happens, concurrently with any still in flight.
 */
export type CallbackOrdering = 'perConnection' | 'none';
export const callbackOrderings: readonly CallbackOrdering[] = ['perConnection', 'none'];

export interface CallbackDeliveryOptions {
  /**
   * Real ms to wait for the app's answer to one attempt. Default: 5 s of emulated time (so
   * scaled by the time scale, never below 250 ms real). ACS does not document its callback
   * timeout; 5 s is what comparable telephony webhooks allow, and a webhook slower than that
   * already leaves the caller in silence.
   */
  timeoutMs: number;
  /**
   * Emulated ms before each retry of an attempt that failed with a 5xx, 408, 429, a timeout or
   * a connection error; the length is the number of retries. Default 1, 2, 4, 8, 16, 32 s
   * (about a minute, then the event is given up). Retries are scheduled out of band: they never
   * delay other events.
   */
  retryDelaysMs: number[];
  ordering: CallbackOrdering;
}

/** The emulated response timeout ACS is assumed to have (see `timeoutMs`). */
export const callbackTimeoutEmulatedMs = 5_000;
/**
 * A scaled default never goes below this many real ms: under that, a busy test machine's event
 * loop lag alone would time out apps that answer at once. An explicit timeout is used as given.
 */
export const minScaledTimeoutMs = 250;

export const defaultRetryDelaysMs = [1000, 2000, 4000, 8000, 16000, 32000];

/** A default timeout in emulated ms as the real ms to wait, under a time scale. */
export function scaledTimeout(emulatedMs: number, timeScale: number): number {
  return Math.max(minScaledTimeoutMs, Math.round(emulatedMs * timeScale));
}

/** The delivery settings in force: the given fields, else the defaults (the timeout scaled). */
export function resolveCallbackDelivery(
  timeScale: number,
  delivery: Partial<CallbackDeliveryOptions> = {},
): CallbackDeliveryOptions {
  const timeoutMs = delivery.timeoutMs ?? scaledTimeout(callbackTimeoutEmulatedMs, timeScale);
  const retryDelaysMs = delivery.retryDelaysMs ?? defaultRetryDelaysMs;
  const ordering = delivery.ordering ?? 'perConnection';
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new Error(`callbackDelivery.timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  if (!retryDelaysMs.every((d) => Number.isFinite(d) && d >= 0)) {
    throw new Error('callbackDelivery.retryDelaysMs must be non-negative numbers');
  }
  if (!callbackOrderings.includes(ordering)) {
    throw new Error(
      `callbackDelivery.ordering must be ${callbackOrderings.join(' or ')}, got '${String(ordering)}'`,
    );
  }
  return { timeoutMs, retryDelaysMs: [...retryDelaysMs], ordering };
}

interface Delivery {
  uri: URL;
  event: CloudEvent;
  body: string;
  call: Timeline | undefined;
  copy: number;
}

/** Retry on server errors, throttling, timeouts and connection failures; other 4xx are final. */
const retryable = (status: number | undefined) =>
  status === undefined || status >= 500 || status === 408 || status === 429;

/**
 * Posts callback CloudEvents the way ACS does: a one-element JSON array, a fresh RS256 bearer
 * token per attempt, retries of the same event (same id) with back-off. The ordering option
 * says how one connection's events are sequenced; injected reordering bypasses it.
 */
export class CallbackDispatcher {
  /** Per connection: the events waiting for the one in flight to be answered or time out. */
  private readonly queues = new Map<string, Delivery[]>();
  sent = 0;
  delivered = 0;
  failed = 0;

  constructor(
    private readonly deps: {
      scheduler: Scheduler;
      signer: CallbackTokenSigner;
      deliverer: Deliverer;
      faults: FaultInjector;
      monitor: Monitor;
      logger: Logger;
      delivery: CallbackDeliveryOptions;
    },
  ) {}

  get delivery(): CallbackDeliveryOptions {
    return this.deps.delivery;
  }

  send(
    uri: string,
    callConnectionId: string,
    type: string,
    data: Record<string, unknown>,
    call?: Timeline,
  ): CloudEvent {
    const subject = `calling/callConnections/${callConnectionId}`;
    const event: CloudEvent = {
      id: randomUUID(),
      source: subject,
      type: `Microsoft.Communication.${type}`,
      data,
      time: new Date().toISOString(),
      specversion: '1.0',
      datacontenttype: 'application/json',
      subject,
    };
    const { faults, monitor, scheduler } = this.deps;
    this.sent++;
    if (faults.shouldDrop()) {
      monitor.record(call, {
        kind: 'callback',
        type,
        eventId: event.id,
        uri,
        dropped: true,
        event,
      });
      return event;
    }
    const url = this.parseUri(uri);
    if (!url) {
      this.failed++;
      monitor.record(call, { kind: 'callback', type, eventId: event.id, uri, error: 'bad uri' });
      return event;
    }
    const body = JSON.stringify([event]);
    const copies = faults.copies();
    for (let copy = 1; copy <= copies; copy++) {
      const delivery: Delivery = { uri: url, event, body, call, copy };
      const { ms, reordering } = faults.delay();
      if (reordering) {
        scheduler.after(ms, () => void this.attempt(delivery, 1));
      } else if (ms > 0) {
        scheduler.after(ms, () => this.dispatch(callConnectionId, delivery));
      } else {
        this.dispatch(callConnectionId, delivery);
      }
    }
    return event;
  }

  /**
   * Apps use a handful of callback URIs, so parsed URLs are cached rather than re-parsed. Only
   * http(s) URLs are deliverable (the REST API refuses others; this keeps the deliverer safe).
   */
  private readonly uris = new Map<string, URL | null>();
  private parseUri(uri: string): URL | undefined {
    let url = this.uris.get(uri);
    if (url === undefined) {
      try {
        url = new URL(uri);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') url = null;
      } catch {
        url = null;
      }
      if (this.uris.size > 10_000) this.uris.clear();
      this.uris.set(uri, url);
    }
    return url ?? undefined;
  }

  private dispatch(callConnectionId: string, d: Delivery): void {
    if (this.deps.delivery.ordering === 'none') {
      void this.attempt(d, 1);
      return;
    }
    const q = this.queues.get(callConnectionId);
    if (q) {
      q.push(d);
      return;
    }
    this.queues.set(callConnectionId, [d]);
    void this.drain(callConnectionId);
  }

  private async drain(key: string): Promise<void> {
    const q = this.queues.get(key)!;
    while (q.length > 0 && !this.closed) {
      await this.attempt(q[0]!, 1);
      q.shift();
    }
    this.queues.delete(key);
  }

  /**
   * One attempt; resolves once it is answered or timed out, never rejects. A retry is
   * scheduled, not awaited, so whoever waits on the first attempt is not held by the rest.
   */
  private async attempt(d: Delivery, attempt: number): Promise<void> {
    if (this.closed) return;
    const { signer, deliverer, monitor, scheduler, delivery, logger } = this.deps;
    const type = d.event.type.slice('Microsoft.Communication.'.length);
    try {
      const token = await signer.token();
      const res = await deliverer.post(
        d.uri,
        d.body,
        { authorization: `Bearer ${token}` },
        delivery.timeoutMs,
      );
      const ok = res.status !== undefined && res.status >= 200 && res.status < 300;
      const delay = ok || !retryable(res.status) ? undefined : delivery.retryDelaysMs[attempt - 1];
      monitor.record(d.call, {
        kind: 'callback',
        type,
        eventId: d.event.id,
        uri: d.uri.href,
        attempt,
        copy: d.copy,
        status: res.status,
        error: res.error,
        ...(res.timedOut ? { timeoutMs: delivery.timeoutMs } : {}),
        ...(delay !== undefined ? { retryInMs: delay } : {}),
        // The body is only worth keeping once, on the first attempt.
        ...(attempt === 1 && d.copy === 1 ? { event: d.event } : {}),
      });
      if (ok) {
        this.delivered++;
        return;
      }
      if (delay === undefined) {
        this.failed++;
        logger.warn(
          {
            type,
            eventId: d.event.id,
            uri: d.uri.href,
            status: res.status,
            error: res.error,
            attempt,
          },
          'callback not delivered',
        );
        return;
      }
      scheduler.after(delay, () => void this.attempt(d, attempt + 1));
    } catch (e) {
      // Nothing an app does may take the emulator down; an attempt that cannot be made is lost.
      this.failed++;
      logger.error({ type, eventId: d.event.id, err: String(e) }, 'callback attempt failed');
    }
  }

  private closed = false;
  close(): void {
    this.closed = true;
  }
}
