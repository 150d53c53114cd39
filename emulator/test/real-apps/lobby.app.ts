/**
 * Lobby with moves — the shape of Microsoft's lobby call sample, split into its two sides:
 *
 * - the lobby app answers calls to its number, welcomes the caller and loops hold music (an
 *   audio file) while they wait, and publishes who is waiting in which call (`GET /api/lobby`);
 * - the agent desk app calls an agent (an ACS user, on their web client) and, once the agent
 *   picks up, moves the longest-waiting caller from the lobby call into the agent's call
 *   (`moveParticipants`, fromCall = the lobby's call connection id).
 */
import {
  CallAutomationClient,
  type CallAutomationEvent,
  type TextSource,
} from '@azure/communication-call-automation';
import { randomUUID } from 'node:crypto';
import {
  AppLog,
  identifierOf,
  is,
  startWebhookServer,
  type AcsAppConfig,
  type IdentifierModel,
  type IncomingCallEventData,
} from './webhook-server.js';

const speak = (text: string): TextSource => ({
  kind: 'textSource',
  text,
  voiceName: 'en-US-NancyNeural',
});

export const prompts = {
  welcome: 'Welcome to Contoso. All our agents are busy; please hold and we will be with you soon.',
  connected: 'You are now connected with an agent.',
};

/** One caller waiting in the lobby (what `GET /api/lobby` answers). */
export interface WaitingCaller {
  callConnectionId: string;
  caller: IdentifierModel;
  since: string;
}

export interface LobbyConfig extends AcsAppConfig {
  /** The hold music (a .wav or .mp3 the service downloads). */
  holdMusicUrl: string;
}

export async function startLobbyApp(config: LobbyConfig) {
  const client = new CallAutomationClient(config.connectionString);
  const log = new AppLog();
  const answered = new Map<string, IdentifierModel>();
  const waiting: WaitingCaller[] = [];

  async function incomingCall(data: IncomingCallEventData) {
    const contextId = randomUUID();
    answered.set(contextId, data.from);
    await client.answerCall(
      data.incomingCallContext,
      `${config.callbackBaseUrl}/api/callbacks/${contextId}`,
      { callIntelligenceOptions: { cognitiveServicesEndpoint: config.cognitiveServicesEndpoint } },
    );
  }

  async function onEvent(event: CallAutomationEvent, url: URL) {
    const caller = answered.get(url.pathname.split('/').at(-1)!);
    if (!caller) return;
    const id = event.callConnectionId;
    const media = () => client.getCallConnection(id).getCallMedia();
    if (is(event, 'CallConnected')) {
      waiting.push({ callConnectionId: id, caller, since: new Date().toISOString() });
      await media().playToAll([speak(prompts.welcome)], { operationContext: 'Welcome' });
    } else if (is(event, 'PlayCompleted') && event.operationContext === 'Welcome') {
      await media().playToAll([{ kind: 'fileSource', url: config.holdMusicUrl }], {
        loop: true,
        operationContext: 'HoldMusic',
      });
    } else if (is(event, 'CallDisconnected')) {
      const at = waiting.findIndex((w) => w.callConnectionId === id);
      if (at >= 0) waiting.splice(at, 1);
    }
  }

  const server = await startWebhookServer(
    config,
    {
      incomingCall,
      callback: onEvent,
      get: (path) => (path === '/api/lobby' ? waiting : undefined),
    },
    log,
  );
  return { log, waiting, url: server.url, close: () => server.close() };
}

export interface AgentDeskConfig extends AcsAppConfig {
  /** The lobby app's base URL, for its list of waiting callers. */
  lobbyUrl: string;
}

interface AgentCall {
  agent: string;
  callConnectionId?: string;
  /** The lobby call the caller was moved from, and who. */
  admitted?: WaitingCaller;
}

export async function startAgentDeskApp(config: AgentDeskConfig) {
  const client = new CallAutomationClient(config.connectionString);
  const log = new AppLog();
  const calls = new Map<string, AgentCall>();

  async function admitNext(call: AgentCall, callConnectionId: string) {
    const res = await fetch(`${config.lobbyUrl}/api/lobby`);
    const [next] = (await res.json()) as WaitingCaller[];
    if (!next) return;
    call.admitted = next;
    await client
      .getCallConnection(callConnectionId)
      .moveParticipants([identifierOf(next.caller)], next.callConnectionId, {
        operationContext: 'FromLobby',
      });
  }

  async function onEvent(event: CallAutomationEvent, url: URL) {
    const call = calls.get(url.pathname.split('/').at(-1)!);
    if (!call) return;
    const id = event.callConnectionId;
    if (is(event, 'CallConnected')) {
      call.callConnectionId = id;
      await admitNext(call, id);
    } else if (is(event, 'MoveParticipantSucceeded')) {
      await client
        .getCallConnection(id)
        .getCallMedia()
        .playToAll([speak(prompts.connected)], { operationContext: 'Connected' });
    }
  }

  const server = await startWebhookServer(config, { callback: onEvent }, log);
  return {
    log,
    calls,
    url: server.url,
    /** Rings the agent's client; once they pick up, the next waiting caller joins them. */
    async callAgent(agentUserId: string): Promise<string> {
      const contextId = randomUUID();
      calls.set(contextId, { agent: agentUserId });
      const result = await client.createCall(
        { targetParticipant: { communicationUserId: agentUserId } },
        `${config.callbackBaseUrl}/api/callbacks/${contextId}`,
        {
          callIntelligenceOptions: { cognitiveServicesEndpoint: config.cognitiveServicesEndpoint },
        },
      );
      return result.callConnectionProperties.callConnectionId!;
    },
    close: () => server.close(),
  };
}
