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

export interface CallbackRetryOptions {
  /** Emulated back-off before each retry; its length is the number of retries. */
  delaysMs: number[];
  /** Real (unscaled) ms to wait for the receiver's response. */
  timeoutMs: number;
}

export const defaultCallbackRetry: CallbackRetryOptions = {
  delaysMs: [1000, 2000, 4000, 8000, 16000, 32000],
  timeoutMs: 10_000,
};

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
 * token per attempt. Deliveries for one call connection go out one at a time, in order, so a
 * receiver sees CallConnected before ParticipantsUpdated — unless reordering is injected.
 */
export class CallbackDispatcher {
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
      retry: CallbackRetryOptions;
    },
  ) {}

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
      monitor.record(call, { kind: 'callback', type, eventId: event.id, uri, error: 'bad uri' });
      return event;
    }
    const body = JSON.stringify([event]);
    const copies = faults.copies();
    for (let copy = 1; copy <= copies; copy++) {
      const delivery: Delivery = { uri: url, event, body, call, copy };
      const { ms, reordering } = faults.delay();
      if (reordering) {
        scheduler.after(ms, () => void this.deliver(delivery));
      } else if (ms > 0) {
        scheduler.after(ms, () => this.enqueue(`${callConnectionId} ${uri}`, delivery));
      } else {
        this.enqueue(`${callConnectionId} ${uri}`, delivery);
      }
    }
    return event;
  }

  /** Apps use a handful of callback URIs, so parsed URLs are cached rather than re-parsed. */
  private readonly uris = new Map<string, URL | null>();
  private parseUri(uri: string): URL | undefined {
    let url = this.uris.get(uri);
    if (url === undefined) {
      try {
        url = new URL(uri);
      } catch {
        url = null;
      }
      if (this.uris.size > 10_000) this.uris.clear();
      this.uris.set(uri, url);
    }
    return url ?? undefined;
  }

  private enqueue(key: string, d: Delivery): void {
    const q = this.queues.get(key);
    if (q) {
      q.push(d);
      return;
    }
    this.queues.set(key, [d]);
    void this.drain(key);
  }

  private async drain(key: string): Promise<void> {
    const q = this.queues.get(key)!;
    while (q.length > 0) {
      await this.deliver(q[0]!);
      q.shift();
    }
    this.queues.delete(key);
  }

  private async deliver(d: Delivery): Promise<void> {
    const { signer, deliverer, monitor, scheduler, retry, logger } = this.deps;
    const type = d.event.type.slice('Microsoft.Communication.'.length);
    for (let attempt = 1; ; attempt++) {
      const token = await signer.token();
      const res = await deliverer.post(
        d.uri,
        d.body,
        { authorization: `Bearer ${token}` },
        retry.timeoutMs,
      );
      const ok = res.status !== undefined && res.status >= 200 && res.status < 300;
      monitor.record(d.call, {
        kind: 'callback',
        type,
        eventId: d.event.id,
        uri: d.uri.href,
        attempt,
        copy: d.copy,
        status: res.status,
        error: res.error,
        // The body is only worth keeping once, on the first attempt.
        ...(attempt === 1 && d.copy === 1 ? { event: d.event } : {}),
      });
      if (ok) {
        this.delivered++;
        return;
      }
      const delay = retry.delaysMs[attempt - 1];
      if (!retryable(res.status) || delay === undefined) {
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
      await scheduler.sleep(delay);
      if (this.closed) return;
    }
  }

  private closed = false;
  close(): void {
    this.closed = true;
  }
}
