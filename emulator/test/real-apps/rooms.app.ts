/**
 * Rooms with identities — the shape of Microsoft's rooms quickstarts ("create and manage rooms",
 * "manage a room call"): the app creates two ACS users and their VoIP tokens with the Identity
 * client, a room that invites them (a presenter and an attendee), joins the room call with Call
 * Automation (`connectCall` to a room call locator) and dials a phone number into it with the
 * resource's number as caller id — which the room has to allow (`pstnDialOutEnabled`).
 */
import {
  CallAutomationClient,
  type CallAutomationEvent,
} from '@azure/communication-call-automation';
import { CommunicationIdentityClient } from '@azure/communication-identity';
import { RoomsClient } from '@azure/communication-rooms';
import { randomUUID } from 'node:crypto';
import { AppLog, is, startWebhookServer, type AcsAppConfig } from './webhook-server.js';

export interface RoomsAppConfig extends AcsAppConfig {
  /** The resource's number shown to phones dialled into a room call. */
  callerIdNumber: string;
}

export interface Meeting {
  roomId: string;
  /** The invited users and the tokens their clients join with. */
  users: { communicationUserId: string; role: 'Presenter' | 'Attendee'; token: string }[];
  /** The phone number to dial in once the app is in the room call. */
  dialIn: string;
  callConnectionId?: string;
  /** The dial-out's outcome: added, failed (an event) or refused (the request's status). */
  dialOut?: { outcome: 'added' | 'failed' | 'refused'; status?: number; message?: string };
}

export async function startRoomsApp(config: RoomsAppConfig) {
  const identity = new CommunicationIdentityClient(config.connectionString);
  const rooms = new RoomsClient(config.connectionString);
  const client = new CallAutomationClient(config.connectionString);
  const log = new AppLog();
  const meetings = new Map<string, Meeting>();

  async function onEvent(event: CallAutomationEvent, url: URL) {
    const meeting = meetings.get(url.pathname.split('/').at(-1)!);
    if (!meeting) return;
    const id = event.callConnectionId;
    if (is(event, 'CallConnected')) {
      meeting.callConnectionId = id;
      try {
        await client.getCallConnection(id).addParticipant(
          {
            targetParticipant: { phoneNumber: meeting.dialIn },
            sourceCallIdNumber: { phoneNumber: config.callerIdNumber },
          },
          { operationContext: 'DialIn', invitationTimeoutInSeconds: 60 },
        );
      } catch (e) {
        const err = e as { statusCode?: number; message?: string };
        meeting.dialOut = { outcome: 'refused', status: err.statusCode, message: err.message };
      }
    } else if (is(event, 'AddParticipantSucceeded')) {
      meeting.dialOut = { outcome: 'added' };
    } else if (is(event, 'AddParticipantFailed')) {
      meeting.dialOut = { outcome: 'failed', status: event.resultInformation?.code };
    }
  }

  const server = await startWebhookServer(config, { callback: onEvent }, log);

  return {
    log,
    meetings,
    url: server.url,
    /** Sets a meeting up: users, their tokens, the room, the app in its call, the dial-in. */
    async startMeeting(options: { dialIn: string; pstnDialOutEnabled: boolean }) {
      const [presenter, attendee] = await Promise.all([
        identity.createUserAndToken(['voip']),
        identity.createUserAndToken(['voip']),
      ]);
      const validFrom = new Date();
      const room = await rooms.createRoom({
        validFrom,
        validUntil: new Date(validFrom.getTime() + 60 * 60 * 1000),
        pstnDialOutEnabled: options.pstnDialOutEnabled,
        participants: [
          { id: presenter.user, role: 'Presenter' },
          { id: attendee.user, role: 'Attendee' },
        ],
      });
      const contextId = randomUUID();
      const meeting: Meeting = {
        roomId: room.id,
        users: [
          { ...presenter.user, role: 'Presenter', token: presenter.token },
          { ...attendee.user, role: 'Attendee', token: attendee.token },
        ],
        dialIn: options.dialIn,
      };
      meetings.set(contextId, meeting);
      await client.connectCall(
        { kind: 'roomCallLocator', id: room.id },
        `${config.callbackBaseUrl}/api/callbacks/${contextId}`,
        {
          callIntelligenceOptions: { cognitiveServicesEndpoint: config.cognitiveServicesEndpoint },
        },
      );
      return meeting;
    },
    /** Who the Rooms API says is invited (a client would show this). */
    async invited(roomId: string) {
      const out: { id: string; role: string }[] = [];
      for await (const p of rooms.listParticipants(roomId)) {
        out.push({
          id: (p.id as { communicationUserId: string }).communicationUserId,
          role: p.role,
        });
      }
      return out;
    },
    close: () => server.close(),
  };
}
