import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import {
  CallAutomationClient,
  type CallAutomationClientOptions,
  type CallInvite,
  type CustomCallingContext,
  type FileSource,
  type TextSource,
} from '@azure/communication-call-automation';
import {
  type CommunicationIdentifier,
  createIdentifierFromRawId,
  type PhoneNumberIdentifier,
} from '@azure/communication-common';
import type { AcsAction, PlaySource } from '@switchboard/flow';
import { digitToTone } from '@switchboard/flow';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { EngineAddress } from '../config/engine-address.js';
import type { SendOutcome } from '../runtime/action-executor.js';
import { AcsHttpClient } from './acs-http-client.js';

/**
 * ACS Call Automation's outbound side, through `@azure/communication-call-automation`: turns
 * interpreter actions into SDK calls and every failure into data (never an exception for the
 * caller). What ACS sends the engine is parsed in acs-inbound.ts.
 */

export type { ActionResultData, SendOutcome } from '../runtime/action-executor.js';

export type CallProbe =
  | { state: 'gone' }
  | { state: 'present'; callConnectionState?: string }
  | { state: 'unknown'; message: string };

type Policy = NonNullable<CallAutomationClientOptions['additionalPolicies']>[number]['policy'];

const REPEAT_HEADER = 'Repeatability-Request-ID';
const FIRST_SENT_HEADER = 'Repeatability-First-Sent';
/**
 * How an action's own repeatability id reaches the pipeline: as a custom header the SDK copies
 * onto the request (requestOptions.customHeaders), which our policy turns into the two
 * Repeatability headers — only on operations the SDK gives them — and removes. (Not an
 * AsyncLocalStorage: that turns on promise hooks, a cost on every promise in the process.)
 */
const ACTION_REPEAT_HEADER = 'x-switchboard-repeatability';

/** A UUID derived from the action id: the same action always carries the same request id. */
export function repeatabilityId(actionId: string): string {
  const h = createHash('sha256').update(`switchboard:${actionId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Loopback hosts: the only ones plain HTTP is allowed for (the local emulator). */
export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

function endpointOf(connectionString: string): string {
  const m = /endpoint=([^;]+)/i.exec(connectionString);
  return m?.[1] ?? '';
}

/** "+14255550100" → phone number; anything else is a raw id ("8:acs:…", "4:+1…"). */
export function identifier(target: string): CommunicationIdentifier {
  const t = target.trim();
  if (t.startsWith('+')) return { phoneNumber: t };
  return createIdentifierFromRawId(t);
}

function phone(target: string | undefined): PhoneNumberIdentifier | undefined {
  if (!target) return undefined;
  const id = identifier(target);
  return 'phoneNumber' in id ? (id as PhoneNumberIdentifier) : undefined;
}

function invite(target: string, callerId?: string, displayName?: string): CallInvite {
  const source = phone(callerId);
  return {
    targetParticipant: identifier(target) as CallInvite['targetParticipant'],
    ...(source ? { sourceCallIdNumber: source } : {}),
    ...(displayName ? { sourceDisplayName: displayName } : {}),
  };
}

function playSource(s: PlaySource): FileSource | TextSource {
  if (s.kind === 'file') return { kind: 'fileSource', url: s.url };
  return {
    kind: 'textSource',
    text: s.text,
    ...(s.voice ? { voiceName: s.voice } : {}),
    ...(s.locale ? { sourceLocale: s.locale } : {}),
  };
}

@Injectable()
export class AcsGateway implements OnModuleDestroy {
  private readonly client: CallAutomationClient | undefined;
  private readonly http = new AcsHttpClient();
  /** Inline sends' deadlines (ActionTarget.deadline) by operation context, while in flight. */
  private readonly deadlines = new Map<string, number>();

  /** Where ACS posts this gateway's callbacks, under ACS_CALLBACK_BASE_URL (the engine's URL by default). */
  callbackPath = '/api/acs/callbacks';

  /** `${ACS_CALLBACK_BASE_URL}/api/acs/callbacks` (the base defaults to the engine's URL). */
  get callbackUrl(): string {
    const base = this.config.acs.callbackBaseUrl || this.address?.url || '';
    return `${base.replace(/\/+$/, '')}${this.callbackPath}`;
  }

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Optional() private readonly address?: EngineAddress,
  ) {
    const cs = config.acs.connectionString;
    if (!cs) return;
    const timeout = config.acs.requestTimeoutMs;
    const repeatability: Policy = {
      name: 'switchboardRepeatability',
      sendRequest(request, next) {
        const own = request.headers.get(ACTION_REPEAT_HEADER);
        if (own !== undefined) {
          request.headers.delete(ACTION_REPEAT_HEADER);
          if (request.headers.has(REPEAT_HEADER)) {
            const space = own.indexOf(' ');
            request.headers.set(REPEAT_HEADER, own.slice(0, space));
            request.headers.set(FIRST_SENT_HEADER, own.slice(space + 1));
          }
        }
        // Every request, also those whose SDK method drops its options (recognize, hold):
        // the HTTP client aborts an attempt that has no answer by then. Cheaper than an
        // AbortSignal.timeout per request.
        if (!request.timeout) request.timeout = timeout;
        return next(request);
      },
    };
    const deadlines = this.deadlines;
    const deadline: Policy = {
      name: 'switchboardDeadline',
      sendRequest(request, next) {
        // Operations with a Repeatability-Request-ID need none: ACS applies a repeat once.
        if (
          deadlines.size > 0 &&
          typeof request.body === 'string' &&
          !request.headers.has(REPEAT_HEADER)
        ) {
          const by = deadlines.get(operationContextOf(request.body));
          if (by !== undefined) {
            const left = by - Date.now();
            // Also after a retry's back-off: a late attempt would race the outbox dispatcher.
            if (left <= 0) throw new DeadlineError();
            request.timeout = Math.min(request.timeout || timeout, left);
          }
        }
        return next(request);
      },
    };
    this.client = new CallAutomationClient(cs, {
      allowInsecureConnection: isLoopback(endpointOf(cs)),
      additionalPolicies: [
        { policy: repeatability, position: 'perCall' },
        { policy: deadline, position: 'perRetry' },
      ],
      httpClient: this.http,
      retryOptions: { maxRetries: config.acs.maxRetries },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.http.close();
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  /**
   * Sends one action. `createdAt` (ms) is the action's commit time: a resend after a crash
   * carries the same Repeatability-Request-ID and -First-Sent, so ACS applies it once.
   */
  async send(
    action: AcsAction,
    callConnectionId: string,
    createdAt: number,
    deadline?: number,
  ): Promise<SendOutcome> {
    const client = this.client;
    if (!client) {
      return {
        ok: false,
        code: 'NotConfigured',
        message: 'ACS_CONNECTION_STRING is not set',
        retryable: false,
      };
    }
    const requestOptions = {
      customHeaders: {
        [ACTION_REPEAT_HEADER]: `${repeatabilityId(action.id)} ${new Date(createdAt).toUTCString()}`,
      },
    };
    // A deadline matters for the operations ACS cannot deduplicate (media: no Repeatability
    // headers), and those all carry their operation context in the body, where the deadline
    // policy finds it — their SDK methods drop request options, so a header could not get there.
    const context = deadline !== undefined ? action.operationContext : '';
    if (context) this.deadlines.set(context, deadline!);
    try {
      return await this.dispatch(client, action, callConnectionId, requestOptions);
    } catch (e) {
      return failure(e);
    } finally {
      if (context) this.deadlines.delete(context);
    }
  }

  private async dispatch(
    client: CallAutomationClient,
    action: AcsAction,
    callConnectionId: string,
    requestOptions: { customHeaders: Record<string, string> },
  ): Promise<SendOutcome> {
    const operationContext = action.operationContext;
    const base = { requestOptions, operationContext };
    // Calls the engine sets up get its speech resource, so their TTS and speech input work.
    const endpoint = this.config.acs.cognitiveServicesEndpoint;
    const setup = endpoint
      ? { ...base, callIntelligenceOptions: { cognitiveServicesEndpoint: endpoint } }
      : base;
    const conn = () => {
      if (!callConnectionId) throw new NoCallError(action.kind);
      return this.connection(client, callConnectionId).conn;
    };
    const media = () => {
      if (!callConnectionId) throw new NoCallError(action.kind);
      return this.connection(client, callConnectionId).media;
    };
    switch (action.kind) {
      case 'answerCall': {
        const r = await client.answerCall(action.incomingCallContext, this.callbackUrl, setup);
        return {
          ok: true,
          result: { callConnectionId: r.callConnectionProperties.callConnectionId },
        };
      }
      case 'rejectCall':
        await client.rejectCall(action.incomingCallContext, {
          requestOptions,
          callRejectReason: action.reason,
        });
        return { ok: true };
      case 'redirectCall':
        await client.redirectCall(
          action.incomingCallContext,
          invite(action.target, action.callerId),
          { requestOptions },
        );
        return { ok: true };
      case 'createCall': {
        const first = action.targets[0];
        if (!first) throw new NoCallError('createCall without targets');
        const source = phone(action.callerId);
        const options = {
          ...setup,
          ...(source ? { sourceCallIdNumber: source } : {}),
          ...(action.displayName ? { sourceDisplayName: action.displayName } : {}),
        };
        const r =
          action.targets.length === 1
            ? await client.createCall(
                invite(first, action.callerId, action.displayName),
                this.callbackUrl,
                options,
              )
            : await client.createGroupCall(
                action.targets.map(identifier),
                this.callbackUrl,
                options,
              );
        return {
          ok: true,
          result: { callConnectionId: r.callConnectionProperties.callConnectionId },
        };
      }
      case 'transferCall':
        await conn().transferCallToParticipant(identifier(action.target), {
          ...base,
          ...(action.transferee ? { transferee: identifier(action.transferee) } : {}),
          ...(action.customCallingContext
            ? { customCallingContext: customContext(action.customCallingContext) }
            : {}),
        });
        return { ok: true };
      case 'addParticipant': {
        const inv = invite(action.target, action.callerId);
        if (action.customCallingContext) {
          inv.customCallingContext = customContext(action.customCallingContext);
        }
        const r = await conn().addParticipant(inv, {
          ...base,
          invitationTimeoutInSeconds: action.invitationTimeoutSeconds,
        });
        return { ok: true, result: r.invitationId ? { invitationId: r.invitationId } : {} };
      }
      case 'cancelAddParticipant':
        await conn().cancelAddParticipantOperation(action.invitationId, base);
        return { ok: true };
      case 'removeParticipant':
        await conn().removeParticipant(identifier(action.target), base);
        return { ok: true };
      case 'muteParticipant':
        await conn().muteParticipant(identifier(action.target), base);
        return { ok: true, result: { completes: true } };
      case 'hold':
        await media().hold(identifier(action.target), {
          ...base,
          ...(action.music ? { playSource: playSource(action.music) } : {}),
        });
        return { ok: true, result: { completes: true } };
      case 'unhold':
        await media().unhold(identifier(action.target), base);
        return { ok: true, result: { completes: true } };
      case 'hangUp':
        await conn().hangUp(action.forEveryone, { requestOptions });
        return { ok: true };
      case 'play': {
        const m = media();
        const sources = action.sources.map(playSource);
        if (action.playTo.length === 0) await m.playToAll(sources, base);
        else await m.play(sources, action.playTo.map(identifier), base);
        return { ok: true };
      }
      case 'recognizeDtmf':
        await media().startRecognizing(identifier(action.targetParticipant), {
          kind: 'callMediaRecognizeDtmfOptions',
          ...base,
          maxTonesToCollect: action.maxTones,
          initialSilenceTimeoutInSeconds: action.initialSilenceTimeoutSeconds,
          interToneTimeoutInSeconds: action.interToneTimeoutSeconds,
          interruptPrompt: action.interruptPrompt,
          ...(action.stopTones.length > 0
            ? {
                stopDtmfTones: action.stopTones
                  .map(digitToTone)
                  .filter((t): t is string => t !== undefined) as never,
              }
            : {}),
          ...(action.prompts.length > 0 ? { playPrompts: action.prompts.map(playSource) } : {}),
        });
        return { ok: true };
      default:
        // Not an ACS operation (resolveSubflow, httpRequest): its own executor sends it.
        return {
          ok: false,
          code: 'NotAnAcsAction',
          message: `${action.kind} is not sent to ACS`,
          retryable: false,
        };
    }
  }

  /**
   * The SDK builds a new HTTP pipeline for every CallConnection and CallMedia object; building
   * them once per call connection (a small LRU) takes that off the per-action cost.
   */
  private readonly connections = new Map<
    string,
    {
      conn: ReturnType<CallAutomationClient['getCallConnection']>;
      media: ReturnType<ReturnType<CallAutomationClient['getCallConnection']>['getCallMedia']>;
    }
  >();

  private connection(client: CallAutomationClient, id: string) {
    let c = this.connections.get(id);
    if (c) {
      this.connections.delete(id);
      this.connections.set(id, c);
      return c;
    }
    const conn = client.getCallConnection(id);
    c = { conn, media: conn.getCallMedia() };
    this.connections.set(id, c);
    if (this.connections.size > 2000) {
      const oldest = this.connections.keys().next().value;
      if (oldest !== undefined) this.connections.delete(oldest);
    }
    return c;
  }

  /** Rejects an incoming call nobody handles (unknown number): best effort, never throws. */
  async rejectUnknown(incomingCallContext: string, eventId: string): Promise<SendOutcome> {
    return this.send(
      {
        kind: 'rejectCall',
        id: `reject:${eventId}`,
        operationContext: '',
        nodeId: '',
        incomingCallContext,
        reason: 'busy',
      },
      '',
      Date.now(),
    );
  }

  /** Whether ACS still knows the call (reconciliation). */
  async probe(callConnectionId: string): Promise<CallProbe> {
    if (!this.client) return { state: 'unknown', message: 'ACS is not configured' };
    try {
      const p = await this.client.getCallConnection(callConnectionId).getCallConnectionProperties();
      if (p.callConnectionState === 'disconnected') return { state: 'gone' };
      return { state: 'present', callConnectionState: p.callConnectionState };
    } catch (e) {
      const f = failure(e);
      if (f.ok) return { state: 'unknown', message: 'unexpected' };
      if (f.status === 404) return { state: 'gone' };
      return { state: 'unknown', message: `${f.status ?? ''} ${f.code}: ${f.message}` };
    }
  }
}

class NoCallError extends Error {
  constructor(what: string) {
    super(`${what}: the run has no call connection yet`);
  }
}

/** The interpreter's header maps as the SDK's list of headers (User-To-User → sipuui). */
function customContext(c: {
  voipHeaders: Record<string, string>;
  sipHeaders: Record<string, string>;
}): CustomCallingContext {
  const out: CustomCallingContext = [];
  for (const [key, value] of Object.entries(c.voipHeaders)) out.push({ kind: 'voip', key, value });
  for (const [key, value] of Object.entries(c.sipHeaders)) {
    if (/^user-to-user$/i.test(key)) out.push({ kind: 'sipuui', key, value });
    else out.push({ kind: 'sipx', key: key.replace(/^X-MS-Custom-/i, ''), value });
  }
  return out;
}

/** Any SDK/network error as data: status, ACS error code, message, and whether a resend may help. */
/** An inline send that could not be over by its deadline: not sent (or abandoned). */
class DeadlineError extends Error {
  readonly code = 'NoAnswerInTime';
  constructor() {
    super('no answer before the outbox takes the action over');
  }
}

const CONTEXT_KEY = '"operationContext":"';

/** The operation context in a request body the SDK serialized ('' when it has none). */
function operationContextOf(body: string): string {
  const at = body.indexOf(CONTEXT_KEY);
  if (at < 0) return '';
  const from = at + CONTEXT_KEY.length;
  const to = body.indexOf('"', from);
  return to < 0 ? '' : body.slice(from, to);
}

function failure(e: unknown): Extract<SendOutcome, { ok: false }> {
  if (e instanceof NoCallError) {
    return { ok: false, code: 'NoCallConnection', message: e.message, retryable: false };
  }
  const err = e as {
    name?: string;
    statusCode?: number;
    code?: string;
    message?: string;
    details?: { error?: { code?: string; message?: string } };
  };
  const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  const code =
    err.details?.error?.code ??
    (typeof err.code === 'string' ? err.code : undefined) ??
    (err.name === 'AbortError' ? 'Timeout' : 'Error');
  const message = err.details?.error?.message ?? err.message ?? String(e);
  // No answer, a timeout or a server error: the action may or may not have happened.
  const retryable = status === undefined || status >= 500 || status === 408 || status === 429;
  return { ok: false, ...(status !== undefined ? { status } : {}), code, message, retryable };
}
