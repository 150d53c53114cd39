import type { ControlInfo } from './control-api.js';
import type { EndpointBehaviour, InviteBehaviour, ScriptStep } from './endpoints.js';
import type { SubscriptionInfo } from './event-grid.js';
import type { Faults } from './faults.js';
import type { TimelineEntry } from './monitor.js';

export interface PlacedCall {
  serverCallId: string;
  correlationId: string;
  incomingCallContext: string;
}

export interface ParticipantSummary {
  rawId: string;
  kind: string;
  isApp: boolean;
  state: string;
  isMuted: boolean;
  isOnHold: boolean;
}

export interface CallSummary {
  serverCallId: string;
  correlationId: string;
  direction: 'inbound' | 'outbound' | 'group';
  state: string;
  createdAt: string;
  endedAt?: string;
  from?: string;
  to?: string;
  participants: ParticipantSummary[];
  connections: { callConnectionId: string; state: string; callbackUri: string; app: string }[];
}

export interface CallDetail extends CallSummary {
  timeline: TimelineEntry[];
}

export class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`emulator control API answered ${status}: ${JSON.stringify(body)}`);
  }
}

/** Typed helpers over the /emulator/ control API (used by the CLI, tests and the engine). */
export class ControlClient {
  constructor(readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}/emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new ControlError(res.status, parsed);
    return parsed as T;
  }

  info(): Promise<ControlInfo> {
    return this.call('GET', '');
  }

  /** A caller dials `to`: Event Grid subscribers get IncomingCall. */
  placeCall(input: {
    from: string;
    to: string;
    callerDisplayName?: string;
    script?: ScriptStep[];
    customContext?: Record<string, unknown>;
    /** How this call's callees answer (transfer / add participant targets), by id. */
    endpoints?: Record<
      string,
      { onInvite?: InviteBehaviour; ringMs?: number; script?: ScriptStep[] }
    >;
  }): Promise<PlacedCall> {
    return this.call('POST', '/calls', input);
  }

  dtmf(serverCallId: string, tones: string | string[], participant?: string, gapMs?: number) {
    return this.call<object>('POST', `/calls/${encodeURIComponent(serverCallId)}/dtmf`, {
      tones,
      participant,
      gapMs,
    });
  }

  say(serverCallId: string, text: string, participant?: string) {
    return this.call<object>('POST', `/calls/${encodeURIComponent(serverCallId)}/speech`, {
      text,
      participant,
    });
  }

  hangup(serverCallId: string, participant?: string) {
    return this.call<object>('POST', `/calls/${encodeURIComponent(serverCallId)}/hangup`, {
      participant,
    });
  }

  getCall(serverCallId: string): Promise<CallDetail> {
    return this.call('GET', `/calls/${encodeURIComponent(serverCallId)}`);
  }

  async listCalls(limit?: number): Promise<CallSummary[]> {
    const r = await this.call<{ calls: CallSummary[] }>(
      'GET',
      `/calls${limit ? `?limit=${limit}` : ''}`,
    );
    return r.calls;
  }

  /** `rawId` may be "+1555…", "4:+1555…", "8:acs:…" or "default". */
  setEndpoint(
    rawId: string,
    behaviour: { onInvite?: InviteBehaviour; ringMs?: number; script?: ScriptStep[] },
  ): Promise<EndpointBehaviour & { rawId?: string }> {
    return this.call('PUT', `/endpoints/${encodeURIComponent(rawId)}`, behaviour);
  }

  setFaults(faults: Partial<Faults>): Promise<Faults> {
    return this.call('PUT', '/faults', faults);
  }

  resetFaults(): Promise<Faults> {
    return this.call('DELETE', '/faults');
  }

  addSubscription(url: string): Promise<SubscriptionInfo> {
    return this.call('POST', '/subscriptions', { url });
  }

  async subscriptions(): Promise<SubscriptionInfo[]> {
    return (await this.call<{ subscriptions: SubscriptionInfo[] }>('GET', '/subscriptions'))
      .subscriptions;
  }
}
