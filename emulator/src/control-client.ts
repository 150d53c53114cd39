import type {
  Accepted,
  AddSubscriptionRequest,
  CallDetail,
  CallList,
  CallerDtmfRequest,
  CallerHangupRequest,
  CallerSpeechRequest,
  ControlInfo,
  ControlStats,
  EndpointAnswer,
  EndpointBehaviourInput,
  FaultsUpdate,
  InjectResultRequest,
  InjectedResult,
  InjectedResultList,
  PhoneNumberAnswer,
  PhoneNumberList,
  PlaceCallRequest,
  PlacedCall,
  SubscriptionList,
  TokenVerdict,
  UserList,
  VerifyTokenRequest,
} from './control-types.js';
import type { EventSchema, SubscriptionFilter } from './event-grid-filters.js';
import type { SubscriptionInfo } from './event-grid.js';
import type { Faults } from './faults.js';

export type {
  CallDetail,
  CallSummary,
  InjectResultRequest,
  InjectedResult,
  ParticipantSummary,
  PlacedCall,
} from './control-types.js';

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
  placeCall(input: PlaceCallRequest): Promise<PlacedCall> {
    return this.call('POST', '/calls', input);
  }

  dtmf(serverCallId: string, tones: string | string[], participant?: string, gapMs?: number) {
    const body: CallerDtmfRequest = { tones, participant, gapMs };
    return this.call<Accepted>('POST', `/calls/${encodeURIComponent(serverCallId)}/dtmf`, body);
  }

  /** `confidence` (0..1): what speech recognition reports for it (default 0.95). */
  say(serverCallId: string, text: string, participant?: string, confidence?: number) {
    const body: CallerSpeechRequest = { text, participant, confidence };
    return this.call<Accepted>('POST', `/calls/${encodeURIComponent(serverCallId)}/speech`, body);
  }

  hangup(serverCallId: string, participant?: string) {
    const body: CallerHangupRequest = { participant };
    return this.call<Accepted>('POST', `/calls/${encodeURIComponent(serverCallId)}/hangup`, body);
  }

  /**
   * The next `injection.operation` fails with its code/subCode: on this call, or without a
   * serverCallId on whichever call does it next.
   */
  injectResult(injection: InjectResultRequest, serverCallId?: string): Promise<InjectedResult> {
    const path =
      serverCallId === undefined
        ? '/results'
        : `/calls/${encodeURIComponent(serverCallId)}/results`;
    return this.call('POST', path, injection);
  }

  async injectedResults(): Promise<InjectedResult[]> {
    return (await this.call<InjectedResultList>('GET', '/results')).pending;
  }

  clearInjectedResults(): Promise<void> {
    return this.call('DELETE', '/results');
  }

  getCall(serverCallId: string): Promise<CallDetail> {
    return this.call('GET', `/calls/${encodeURIComponent(serverCallId)}`);
  }

  async listCalls(limit?: number): Promise<CallList['calls']> {
    const r = await this.call<CallList>('GET', `/calls${limit ? `?limit=${limit}` : ''}`);
    return r.calls;
  }

  /** `rawId` may be "+1555…", "4:+1555…", "8:acs:…" or "default". */
  setEndpoint(rawId: string, behaviour: EndpointBehaviourInput): Promise<EndpointAnswer> {
    return this.call('PUT', `/endpoints/${encodeURIComponent(rawId)}`, behaviour);
  }

  /** Calls, callback deliveries and the faults injected so far, by kind. */
  stats(): Promise<ControlStats> {
    return this.call('GET', '/stats');
  }

  setFaults(faults: FaultsUpdate): Promise<Faults> {
    return this.call('PUT', '/faults', faults);
  }

  resetFaults(): Promise<Faults> {
    return this.call('DELETE', '/faults');
  }

  /** A webhook, optionally filtered (e.g. `{ to: ['+18005550101'] }`) or in CloudEvents schema. */
  addSubscription(
    url: string,
    options: { filter?: SubscriptionFilter; schema?: EventSchema } = {},
  ): Promise<SubscriptionInfo> {
    const body: AddSubscriptionRequest = { url, ...options };
    return this.call('POST', '/subscriptions', body);
  }

  async subscriptions(): Promise<SubscriptionInfo[]> {
    return (await this.call<SubscriptionList>('GET', '/subscriptions')).subscriptions;
  }

  /** The numbers the emulated resource owns. */
  async phoneNumbers(): Promise<string[]> {
    return (await this.call<PhoneNumberList>('GET', '/phone-numbers')).phoneNumbers;
  }

  /** Buys a number: it becomes a caller id the apps may use, and its calls reach them. */
  addPhoneNumber(number: string): Promise<PhoneNumberAnswer> {
    return this.call('PUT', `/phone-numbers/${encodeURIComponent(number)}`);
  }

  async removePhoneNumber(number: string): Promise<void> {
    await this.call('DELETE', `/phone-numbers/${encodeURIComponent(number)}`);
  }

  /** The ACS users created through the Identity API. */
  async users(): Promise<UserList['users']> {
    return (await this.call<UserList>('GET', '/users')).users;
  }

  /** Whether an Identity API access token is still good (unexpired, not revoked, user exists). */
  verifyAccessToken(token: string): Promise<TokenVerdict> {
    const body: VerifyTokenRequest = { token };
    return this.call('POST', '/tokens/verify', body);
  }
}
