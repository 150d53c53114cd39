/**
 * Inbound call, speech recognition, transfer — the shape of Microsoft's inbound quickstarts
 * (and the "connect to an agent" branch of the OpenAI sample): Event Grid's IncomingCall is
 * answered with Cognitive Services linked, the caller is asked what they need and answers in
 * their own words; asking for an agent plays a hand-off line and transfers the call to the
 * agent's phone number. Anything else gets an answer and a goodbye.
 */
import {
  CallAutomationClient,
  type CallAutomationEvent,
  type CallMediaRecognizeSpeechOptions,
  type TextSource,
} from '@azure/communication-call-automation';
import { randomUUID } from 'node:crypto';
import {
  AppLog,
  identifierOf,
  is,
  startWebhookServer,
  type AcsAppConfig,
  type IncomingCallEventData,
} from './webhook-server.js';

export interface InboundSpeechConfig extends AcsAppConfig {
  /** Where callers who ask for a person are transferred (a phone number outside ACS). */
  agentPhoneNumber: string;
}

export const prompts = {
  greeting: 'Thanks for calling Contoso support. In a few words, how can I help you today?',
  toAgent: 'Let me put you through to one of our agents. Please stay on the line.',
  selfService: 'You can find that in the Contoso app under My account. Goodbye.',
  transferFailed: 'Sorry, no agent is free right now. Please call again later. Goodbye.',
};

const speak = (text: string): TextSource => ({
  kind: 'textSource',
  text,
  voiceName: 'en-US-NancyNeural',
});

interface InboundCall {
  caller: ReturnType<typeof identifierOf>;
  callConnectionId?: string;
  heard?: string;
  transferred?: boolean;
}

export async function startInboundSpeechApp(config: InboundSpeechConfig) {
  const client = new CallAutomationClient(config.connectionString);
  const log = new AppLog();
  const calls = new Map<string, InboundCall>();

  async function incomingCall(data: IncomingCallEventData) {
    const contextId = randomUUID();
    calls.set(contextId, { caller: identifierOf(data.from) });
    await client.answerCall(
      data.incomingCallContext,
      `${config.callbackBaseUrl}/api/callbacks/${contextId}`,
      { callIntelligenceOptions: { cognitiveServicesEndpoint: config.cognitiveServicesEndpoint } },
    );
  }

  const media = (id: string) => client.getCallConnection(id).getCallMedia();

  async function onEvent(event: CallAutomationEvent, url: URL) {
    const call = calls.get(url.pathname.split('/').at(-1)!);
    if (!call) return;
    const id = event.callConnectionId;
    if (is(event, 'CallConnected')) {
      call.callConnectionId = id;
      const options: CallMediaRecognizeSpeechOptions = {
        kind: 'callMediaRecognizeSpeechOptions',
        playPrompt: speak(prompts.greeting),
        endSilenceTimeoutInSeconds: 1,
        initialSilenceTimeoutInSeconds: 15,
        operationContext: 'OpenQuestion',
      };
      await media(id).startRecognizing(call.caller, options);
    } else if (is(event, 'RecognizeCompleted')) {
      call.heard = event.speechResult?.speech ?? '';
      const wantsAgent = /\b(agent|person|human|representative)\b/i.test(call.heard);
      await media(id).playToAll([speak(wantsAgent ? prompts.toAgent : prompts.selfService)], {
        operationContext: wantsAgent ? 'ConnectAgent' : 'Goodbye',
      });
    } else if (is(event, 'RecognizeFailed')) {
      await media(id).playToAll([speak(prompts.selfService)], { operationContext: 'Goodbye' });
    } else if (is(event, 'PlayCompleted') && event.operationContext === 'ConnectAgent') {
      await client
        .getCallConnection(id)
        .transferCallToParticipant(
          { phoneNumber: config.agentPhoneNumber },
          { operationContext: 'TransferToAgent' },
        );
    } else if (is(event, 'CallTransferAccepted')) {
      call.transferred = true;
    } else if (is(event, 'CallTransferFailed')) {
      await media(id).playToAll([speak(prompts.transferFailed)], { operationContext: 'Goodbye' });
    } else if (
      (is(event, 'PlayCompleted') || is(event, 'PlayFailed')) &&
      event.operationContext === 'Goodbye'
    ) {
      await client.getCallConnection(id).hangUp(true);
    }
  }

  const server = await startWebhookServer(config, { incomingCall, callback: onEvent }, log);
  return { log, calls, url: server.url, close: () => server.close() };
}
