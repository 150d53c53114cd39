import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ControlClient, Emulator } from '@switchboard/emulator';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { LOGGER, type Logger } from '../logging/logger.js';
import { AcsGateway } from './acs.gateway.js';
import { CallbackAuth, CallbackAuthError } from './callback-auth.js';

/** Where the test-call emulator posts its callbacks (verified with its keys, applied to test runs only). */
export const TEST_CALLBACK_PATH = '/api/acs/test-callbacks';

interface TestAcsParts {
  emulator: Emulator;
  gateway: AcsGateway;
  auth: CallbackAuth;
}

/**
 * The ACS of test calls: a private emulator this engine starts (in its own process, on
 * loopback, on first use), whatever ACS the engine's real calls use. Test runs send every action
 * through its gateway and get their callbacks from it, so a test call costs nothing and can never
 * reach a real phone, even on a production engine. Its callbacks come to TEST_CALLBACK_PATH with
 * tokens signed by its own key, which are never accepted for a real run.
 */
@Injectable()
export class TestAcs implements OnModuleDestroy {
  private parts: Promise<TestAcsParts> | undefined;
  private localUrl: string | undefined;
  private dataDir: string | undefined;

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The engine's own loopback URL (known once it listens): the emulator calls back there. */
  setLocalUrl(url: string): void {
    this.localUrl = url;
  }

  get started(): boolean {
    return this.parts !== undefined;
  }

  private start(): Promise<TestAcsParts> {
    this.parts ??= (async () => {
      const { startEmulator } = await import('@switchboard/emulator');
      if (!this.localUrl) throw new Error('test calls: the engine is not listening yet');
      this.dataDir = await mkdtemp(join(tmpdir(), 'switchboard-test-calls-'));
      const emulator = await startEmulator({
        port: 0,
        host: '127.0.0.1',
        dataDir: this.dataDir,
        // Emulated time runs as the engine's waits do (tests scale both).
        timeScale: this.config.runtime.timeScale,
        // The engine answers its callbacks in real time (a database commit), whatever the time
        // scale: it is waited on as ACS's own default (5 s) would be, not a scaled-down one.
        callbackDelivery: { timeoutMs: 5000 },
        issuer: 'urn:switchboard:test-calls',
        logLevel: 'warn',
        // A test call may dial any number and a flow may present any caller id: the numbers the
        // real resource owns are not known here. Owning none means nothing routes back into this
        // emulator (there are no other apps behind it): every callee is a simulated endpoint.
        phoneNumbers: [],
        unlistedNumbers: 'allow',
      });
      const acs = {
        ...this.config.acs,
        connectionString: emulator.httpConnectionString,
        callbackBaseUrl: this.localUrl,
        jwksUrl: emulator.jwksUrl,
        openIdConfigUrl: undefined,
        issuer: emulator.issuer,
        audience: emulator.audience,
        cognitiveServicesEndpoint: emulator.cognitiveServicesEndpoint,
      };
      const config = { ...this.config, acs };
      const gateway = new AcsGateway(config);
      gateway.callbackPath = TEST_CALLBACK_PATH;
      this.logger.info({ emulator: emulator.url }, 'test calls: private ACS emulator started');
      return { emulator, gateway, auth: new CallbackAuth(config) };
    })();
    this.parts.catch(() => {
      this.parts = undefined;
    });
    return this.parts;
  }

  async gateway(): Promise<AcsGateway> {
    return (await this.start()).gateway;
  }

  async control(): Promise<ControlClient> {
    return (await this.start()).emulator.control;
  }

  /**
   * Checks a test callback's token against the private emulator's keys. Before the emulator
   * started (nothing can have sent one) every token is refused.
   */
  async verify(authorization: string | undefined): Promise<void> {
    if (!this.parts) throw new CallbackAuthError('no test call has been placed by this engine');
    await (await this.parts).auth.verify(authorization);
  }

  /**
   * The test call as the emulator sees it now (by server call id, else by call connection id),
   * or null when the emulator does not know it (never placed here, or the engine restarted).
   */
  async describe(
    call: { serverCallId?: string; callConnectionId?: string | null },
    caller: string,
  ): Promise<TestCallView | null> {
    if (!this.parts) return null;
    const control = await this.control();
    let serverCallId = call.serverCallId;
    if (!serverCallId && call.callConnectionId) {
      const calls = await control.listCalls(1000);
      serverCallId = calls.find((c) =>
        c.connections.some((x) => x.callConnectionId === call.callConnectionId),
      )?.serverCallId;
    }
    if (!serverCallId) return null;
    try {
      return toTestCallView(await control.getCall(serverCallId), caller);
    } catch (e) {
      if ((e as { status?: number }).status === 404) return null;
      throw e;
    }
  }

  async onModuleDestroy(): Promise<void> {
    const parts = await this.parts?.catch(() => undefined);
    if (parts) {
      await parts.gateway.onModuleDestroy();
      await parts.emulator.close();
    }
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** One participant of a test call as the emulator saw it last. */
export interface TestParticipant {
  rawId: string;
  role: 'caller' | 'app' | 'callee';
  state: 'ringing' | 'connected' | 'onHold' | 'disconnected';
  /** How an invitation ended when the callee never joined: decline, busy, noAnswer. */
  outcome?: string;
  isMuted: boolean;
  isOnHold: boolean;
}

export interface HeardEntry {
  at: string;
  operationContext?: string;
  text?: string;
  voice?: string;
  url?: string;
}

/** The emulator's view of a test call: who is in it, what the caller heard, what happened. */
export interface TestCallView {
  serverCallId: string | null;
  state: string | null;
  participants: TestParticipant[];
  heard: HeardEntry[];
  timeline: Record<string, unknown>[];
}

const bare = (rawId: string) => rawId.replace(/^4:/, '');

/**
 * Reads a call's timeline (and summary) from the test-call emulator into a TestCallView. The
 * timeline, not the summary, gives the participants: a callee still ringing, or one who declined,
 * never joins the call.
 */
export function toTestCallView(
  detail: {
    serverCallId: string;
    state: string;
    participants: { rawId: string; isApp: boolean; isMuted: boolean; isOnHold: boolean }[];
    timeline: { at: string; kind: string; [k: string]: unknown }[];
  },
  caller: string,
): TestCallView {
  const people = new Map<string, TestParticipant>();
  const heard: HeardEntry[] = [];
  const timeline: Record<string, unknown>[] = [];
  const role = (rawId: string, isApp: boolean): TestParticipant['role'] =>
    isApp ? 'app' : bare(rawId) === bare(caller) ? 'caller' : 'callee';
  for (const e of detail.timeline) {
    if (e.kind === 'participant' && typeof e.rawId === 'string') {
      const p = people.get(e.rawId) ?? {
        rawId: e.rawId,
        role: role(e.rawId, e.isApp === true),
        state: 'ringing',
        isMuted: false,
        isOnHold: false,
      };
      if (e.isApp === true) p.role = 'app';
      if (e.state === 'hold') p.state = 'onHold';
      else if (typeof e.state === 'string') p.state = e.state as TestParticipant['state'];
      if (typeof e.outcome === 'string' && e.outcome !== 'accept') {
        p.state = 'disconnected';
        p.outcome = e.outcome;
      }
      people.set(e.rawId, p);
      timeline.push(e);
    } else if (e.kind === 'media' && Array.isArray(e.heard)) {
      for (const s of e.heard as { kind: string; text?: string; voice?: string; uri?: string }[]) {
        heard.push({
          at: e.at,
          ...(typeof e.operationContext === 'string'
            ? { operationContext: e.operationContext }
            : {}),
          ...(s.kind === 'file' ? { url: s.uri } : { text: s.text ?? '(SSML)' }),
          ...(s.voice ? { voice: s.voice } : {}),
        });
      }
      timeline.push({
        at: e.at,
        kind: 'heard',
        sources: e.heard,
        operationContext: e.operationContext,
      });
    } else if (e.kind === 'call' || e.kind === 'caller') {
      timeline.push(e);
    }
  }
  for (const s of detail.participants) {
    const p = people.get(s.rawId);
    if (!p) continue;
    p.isMuted = s.isMuted;
    p.isOnHold = s.isOnHold;
    if (s.isApp) p.role = 'app';
  }
  return {
    serverCallId: detail.serverCallId,
    state: detail.state,
    participants: [...people.values()],
    heard,
    timeline,
  };
}
