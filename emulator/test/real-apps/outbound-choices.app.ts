/**
 * Outbound call with choices recognition — the shape of Microsoft's "make an outbound call"
 * quickstart: call a customer from the resource's number, ask them (text-to-speech) to confirm or
 * cancel an appointment by saying so or pressing 1 / 2, confirm what was chosen and hang up.
 */
import {
  CallAutomationClient,
  DtmfTone,
  type CallAutomationEvent,
  type CallMediaRecognizeChoiceOptions,
  type RecognitionChoice,
  type TextSource,
} from '@azure/communication-call-automation';
import { randomUUID } from 'node:crypto';
import { AppLog, is, startWebhookServer, type AcsAppConfig } from './webhook-server.js';

export interface OutboundChoicesConfig extends AcsAppConfig {
  /** The resource's phone number the customer sees calling. */
  callerIdNumber: string;
}

export const prompts = {
  menu: 'Hello, this is Contoso Dental about your check-up tomorrow at ten. Say confirm or press one to keep it, say cancel or press two to cancel it.',
  retry: 'Sorry, I did not get that. Say confirm or press one, say cancel or press two.',
  confirmed: 'Thank you, your check-up tomorrow at ten is confirmed. Goodbye.',
  cancelled: 'Your check-up tomorrow at ten is cancelled. Call us to book another time. Goodbye.',
  noAnswer: 'We did not hear from you, so your appointment stays as it is. Goodbye.',
};

const choices: RecognitionChoice[] = [
  { label: 'Confirm', phrases: ['Confirm', 'Yes', 'Keep it'], tone: DtmfTone.One },
  { label: 'Cancel', phrases: ['Cancel', 'No', 'Cancel it'], tone: DtmfTone.Two },
];

const speak = (text: string): TextSource => ({
  kind: 'textSource',
  text,
  voiceName: 'en-US-NancyNeural',
});

interface OutboundCall {
  customer: string;
  callConnectionId?: string;
  retried: boolean;
  /** The label the customer chose, once they did. */
  choice?: string;
}

export async function startOutboundChoicesApp(config: OutboundChoicesConfig) {
  const client = new CallAutomationClient(config.connectionString);
  const log = new AppLog();
  const calls = new Map<string, OutboundCall>();

  async function recognize(call: OutboundCall, callConnectionId: string, prompt: string) {
    const options: CallMediaRecognizeChoiceOptions = {
      kind: 'callMediaRecognizeChoiceOptions',
      choices,
      playPrompt: speak(prompt),
      interruptPrompt: false,
      initialSilenceTimeoutInSeconds: 10,
      operationContext: 'AppointmentMenu',
    };
    await client
      .getCallConnection(callConnectionId)
      .getCallMedia()
      .startRecognizing({ phoneNumber: call.customer }, options);
  }

  async function sayGoodbye(callConnectionId: string, text: string) {
    await client
      .getCallConnection(callConnectionId)
      .getCallMedia()
      .playToAll([speak(text)], { operationContext: 'Goodbye' });
  }

  async function onEvent(event: CallAutomationEvent, url: URL) {
    const call = calls.get(url.pathname.split('/').at(-1)!);
    if (!call) return;
    const id = event.callConnectionId;
    if (is(event, 'CallConnected')) {
      call.callConnectionId = id;
      await recognize(call, id, prompts.menu);
    } else if (is(event, 'RecognizeCompleted')) {
      call.choice = event.choiceResult?.label;
      await sayGoodbye(id, call.choice === 'Confirm' ? prompts.confirmed : prompts.cancelled);
    } else if (is(event, 'RecognizeFailed')) {
      const silent = event.resultInformation?.subCode === 8510;
      if (!silent && !call.retried) {
        call.retried = true;
        await recognize(call, id, prompts.retry);
      } else {
        await sayGoodbye(id, prompts.noAnswer);
      }
    } else if (is(event, 'PlayCompleted') || is(event, 'PlayFailed')) {
      await client.getCallConnection(id).hangUp(true);
    }
  }

  const server = await startWebhookServer(config, { callback: onEvent }, log);

  return {
    log,
    calls,
    url: server.url,
    /** Calls the customer; answers the new call's connection id. */
    async callCustomer(phoneNumber: string): Promise<string> {
      const contextId = randomUUID();
      const call: OutboundCall = { customer: phoneNumber, retried: false };
      calls.set(contextId, call);
      const result = await client.createCall(
        {
          targetParticipant: { phoneNumber },
          sourceCallIdNumber: { phoneNumber: config.callerIdNumber },
        },
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
