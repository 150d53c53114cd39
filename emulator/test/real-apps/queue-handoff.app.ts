/**
 * Multi-app hand-off through the resource's own numbers: two independently deployed apps, each
 * with its own Event Grid subscription filtered to its own number.
 *
 * - The queue app answers the main line, plays a DTMF menu and transfers the caller to the desk
 *   line they chose — a number of the same resource — passing the department along as a custom
 *   SIP header.
 * - The desk app gets that transfer as an IncomingCall to its number (from the caller), answers
 *   it and serves the caller with its own menu.
 */
import {
  CallAutomationClient,
  type CallAutomationEvent,
  type CallMediaRecognizeDtmfOptions,
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

const speak = (text: string): TextSource => ({
  kind: 'textSource',
  text,
  voiceName: 'en-US-NancyNeural',
});

type Caller = ReturnType<typeof identifierOf>;

function dtmfMenu(prompt: string, operationContext: string): CallMediaRecognizeDtmfOptions {
  return {
    kind: 'callMediaRecognizeDtmfOptions',
    playPrompt: speak(prompt),
    maxTonesToCollect: 1,
    interruptPrompt: true,
    initialSilenceTimeoutInSeconds: 10,
    operationContext,
  };
}

export const queuePrompts = {
  menu: 'Welcome to Contoso. For sales press one. For billing press two.',
  transferring: 'Connecting you now.',
  goodbye: 'Sorry, we could not connect you. Goodbye.',
};

export interface QueueConfig extends AcsAppConfig {
  /** The resource's desk numbers by the tone that chooses them. */
  desks: Record<string, { department: string; phoneNumber: string }>;
}

interface QueuedCall {
  caller: Caller;
  chosen?: { department: string; phoneNumber: string };
  transfer?: 'accepted' | 'failed';
}

export async function startQueueApp(config: QueueConfig) {
  const client = new CallAutomationClient(config.connectionString);
  const log = new AppLog();
  const calls = new Map<string, QueuedCall>();

  async function incomingCall(data: IncomingCallEventData) {
    const contextId = randomUUID();
    calls.set(contextId, { caller: identifierOf(data.from) });
    await client.answerCall(
      data.incomingCallContext,
      `${config.callbackBaseUrl}/api/callbacks/${contextId}`,
      { callIntelligenceOptions: { cognitiveServicesEndpoint: config.cognitiveServicesEndpoint } },
    );
  }

  async function onEvent(event: CallAutomationEvent, url: URL) {
    const call = calls.get(url.pathname.split('/').at(-1)!);
    if (!call) return;
    const connection = client.getCallConnection(event.callConnectionId);
    const media = connection.getCallMedia();
    if (is(event, 'CallConnected')) {
      await media.startRecognizing(call.caller, dtmfMenu(queuePrompts.menu, 'MainMenu'));
    } else if (is(event, 'RecognizeCompleted')) {
      const tone = event.dtmfResult?.tones?.[0];
      call.chosen = tone === undefined ? undefined : config.desks[tone];
      if (!call.chosen) {
        await media.startRecognizing(call.caller, dtmfMenu(queuePrompts.menu, 'MainMenu'));
        return;
      }
      await media.playToAll([speak(queuePrompts.transferring)], { operationContext: 'Transfer' });
    } else if (is(event, 'PlayCompleted') && event.operationContext === 'Transfer') {
      await connection.transferCallToParticipant(
        { phoneNumber: call.chosen!.phoneNumber },
        {
          operationContext: `To${call.chosen!.department}`,
          customCallingContext: [
            { kind: 'sipx', key: 'Department', value: call.chosen!.department },
          ],
        },
      );
    } else if (is(event, 'CallTransferAccepted')) {
      call.transfer = 'accepted';
    } else if (is(event, 'CallTransferFailed')) {
      call.transfer = 'failed';
      await media.playToAll([speak(queuePrompts.goodbye)], { operationContext: 'Goodbye' });
    } else if (is(event, 'RecognizeFailed')) {
      await media.playToAll([speak(queuePrompts.goodbye)], { operationContext: 'Goodbye' });
    } else if (is(event, 'PlayCompleted') && event.operationContext === 'Goodbye') {
      await connection.hangUp(true);
    }
  }

  const server = await startWebhookServer(config, { incomingCall, callback: onEvent }, log);
  return { log, calls, url: server.url, close: () => server.close() };
}

export const deskPrompts = {
  menu: (department: string) =>
    `You are through to ${department}. To hear your order status press one, to leave a message press two.`,
  orderStatus: 'Your order left our warehouse this morning. Goodbye.',
  message: 'We will call you back today. Goodbye.',
};

interface DeskCall {
  caller: Caller;
  department: string;
  pressed?: string;
}

export async function startDeskApp(config: AcsAppConfig) {
  const client = new CallAutomationClient(config.connectionString);
  const log = new AppLog();
  const calls = new Map<string, DeskCall>();

  async function incomingCall(data: IncomingCallEventData) {
    const contextId = randomUUID();
    const department = data.customContext?.sipHeaders?.['X-MS-Custom-Department'] ?? 'Contoso';
    calls.set(contextId, { caller: identifierOf(data.from), department });
    await client.answerCall(
      data.incomingCallContext,
      `${config.callbackBaseUrl}/api/callbacks/${contextId}`,
      { callIntelligenceOptions: { cognitiveServicesEndpoint: config.cognitiveServicesEndpoint } },
    );
  }

  async function onEvent(event: CallAutomationEvent, url: URL) {
    const call = calls.get(url.pathname.split('/').at(-1)!);
    if (!call) return;
    const connection = client.getCallConnection(event.callConnectionId);
    const media = connection.getCallMedia();
    if (is(event, 'CallConnected')) {
      await media.startRecognizing(
        call.caller,
        dtmfMenu(deskPrompts.menu(call.department), 'DeskMenu'),
      );
    } else if (is(event, 'RecognizeCompleted')) {
      call.pressed = event.dtmfResult?.tones?.[0];
      const answer = call.pressed === 'one' ? deskPrompts.orderStatus : deskPrompts.message;
      await media.playToAll([speak(answer)], { operationContext: 'Goodbye' });
    } else if (is(event, 'RecognizeFailed')) {
      await media.playToAll([speak(deskPrompts.message)], { operationContext: 'Goodbye' });
    } else if (is(event, 'PlayCompleted') && event.operationContext === 'Goodbye') {
      await connection.hangUp(true);
    }
  }

  const server = await startWebhookServer(config, { incomingCall, callback: onEvent }, log);
  return { log, calls, url: server.url, close: () => server.close() };
}
