/**
 * Every result code the emulator puts in a callback's `resultInformation`, with the events that
 * carry it and when. The code uses `Results` (the wire shape: code, subCode, message); the docs
 * script renders `resultCodes` into emulator/README.md, and a test fails when the README is
 * stale — so this table is the one place a code is written down.
 *
 * Sources: Microsoft's Call Automation event-code tables (play and recognize how-tos), the
 * troubleshooting code lists (Call Automation subcodes, call-end codes, PSTN codes) and the
 * Graph call-end reason codes, which the same calling platform reports. Where the service's
 * exact message is not published the message is the emulator's wording; apps must branch on
 * code and subCode, never on the message.
 */

export interface ResultInformation {
  code: number;
  subCode: number;
  message: string;
}

export interface ResultCode extends ResultInformation {
  /** The callback events that carry it. */
  events: readonly string[];
  /** When the emulator reports it. */
  when: string;
}

export const resultCodes = {
  ok: {
    code: 200,
    subCode: 0,
    message: 'Action completed successfully.',
    events: [
      'PlayStarted',
      'PlayCompleted',
      'CallTransferAccepted',
      'RemoveParticipantSucceeded',
      'CancelAddParticipantSucceeded',
      'MoveParticipantSucceeded',
      'SendDtmfTonesCompleted',
      'ContinuousDtmfRecognitionToneReceived',
      'ContinuousDtmfRecognitionStopped',
    ],
    when: 'The operation did what was asked (a play that starts, then ends).',
  },
  connected: {
    code: 200,
    subCode: 0,
    message: '',
    events: ['CallConnected'],
    when: "The application's call leg is connected (answer, create, connect).",
  },
  participantsUpdated: {
    code: 200,
    subCode: 0,
    message: '',
    events: ['ParticipantsUpdated'],
    when: 'Someone joined, left, was muted or was put on hold.',
  },
  addOk: {
    code: 202,
    subCode: 0,
    message: 'Action completed successfully.',
    events: ['AddParticipantSucceeded'],
    when: 'The invitee answered.',
  },
  endedByApp: {
    code: 200,
    subCode: 7000,
    message: 'The conversation has ended.',
    events: ['CallDisconnected'],
    when: 'The application hung up (DELETE) or terminated the call (every connection of a terminated call).',
  },
  endedByPstnUser: {
    code: 200,
    subCode: 560000,
    message: 'Call ended by the remote PSTN participant.',
    events: ['CallDisconnected'],
    when: 'The last other person, on a phone, hung up.',
  },
  everyoneLeft: {
    code: 200,
    subCode: 5002,
    message: 'The conversation has ended as all other participants have left the call.',
    events: ['CallDisconnected'],
    when: 'The last other person (not on a phone) hung up, or the last one was removed or moved to another call.',
  },
  transferCompleted: {
    code: 200,
    subCode: 7015,
    message: 'Call ended as the transfer completed successfully.',
    events: ['CallDisconnected'],
    when: "After CallTransferAccepted: the transfer hands the call over and the application's leg ends.",
  },
  callerCanceled: {
    code: 487,
    subCode: 540487,
    message: 'Call ended as the caller canceled the call.',
    events: ['AnswerFailed', 'CallDisconnected'],
    when: 'The caller hung up after the answer was accepted but before the call connected.',
  },
  noAnswer: {
    code: 408,
    subCode: 10004,
    message: 'Call timed out.',
    events: ['AddParticipantFailed', 'CallTransferFailed'],
    when: 'The invitee did not answer within the invitation timeout.',
  },
  notAnsweredCreate: {
    code: 408,
    subCode: 10004,
    message: 'Call not answered.',
    events: ['CreateCallFailed', 'CallDisconnected'],
    when: 'No target of an outbound call answered within the invitation timeout.',
  },
  declined: {
    code: 603,
    subCode: 560603,
    message: 'Call declined by the remote participant.',
    events: ['AddParticipantFailed', 'CallTransferFailed', 'CreateCallFailed', 'CallDisconnected'],
    when: 'The invitee declined (endpoint behaviour `decline`).',
  },
  busy: {
    code: 486,
    subCode: 560486,
    message: 'Busy here.',
    events: ['AddParticipantFailed', 'CallTransferFailed', 'CreateCallFailed', 'CallDisconnected'],
    when: 'The invitee was busy (endpoint behaviour `busy`).',
  },
  forbidden: {
    code: 403,
    subCode: 560403,
    message: 'Call forbidden by the remote participant.',
    events: ['AddParticipantFailed', 'CallTransferFailed', 'CreateCallFailed', 'CallDisconnected'],
    when: "An app of the resource rejected the invitation to its number or user with callRejectReason 'forbidden'.",
  },
  canceled: {
    code: 400,
    subCode: 8508,
    message: 'Action failed, the operation was canceled.',
    events: ['PlayCanceled', 'RecognizeCanceled'],
    when: 'cancelAllMediaOperations, or a later operation with interruptCallMediaOperation.',
  },
  alreadyDone: {
    code: 400,
    subCode: 8523,
    message: 'Invitation has already been accepted/completed.',
    events: ['CancelAddParticipantFailed'],
    when: 'The invitation to cancel was already answered, declined or timed out.',
  },
  participantNotFound: {
    code: 400,
    subCode: 8519,
    message: 'Participant not found.',
    events: ['RemoveParticipantFailed', 'MoveParticipantFailed'],
    when: 'The participant to remove, or to move, is not in that call.',
  },
  callNotFound: {
    code: 404,
    subCode: 8522,
    message: 'Call not found.',
    events: ['ConnectFailed', 'MoveParticipantFailed'],
    when: 'The call to connect to, or the `fromCall` of a move, does not exist or has ended.',
  },
  roomNotFound: {
    code: 404,
    subCode: 8522,
    message: 'Room not found.',
    events: ['ConnectFailed'],
    when: 'connectCall to a room id the Rooms API never created, or deleted (ACS documents no specific code).',
  },
  roomNotOpen: {
    code: 403,
    subCode: 8522,
    message: 'The room is not open now (outside its validFrom and validUntil).',
    events: ['ConnectFailed'],
    when: 'connectCall to a room before its validFrom or after its validUntil (ACS documents no specific code).',
  },
  participantLeft: {
    code: 404,
    subCode: 8522,
    message: 'Action failed, the participant left the call.',
    events: ['PlayFailed', 'RecognizeFailed', 'SendDtmfTonesFailed'],
    when: 'The target of a running play (playTo), recognize or sendDtmfTones left the call.',
  },
  playBadFormat: {
    code: 400,
    subCode: 8535,
    message: 'Action failed, file format is invalid.',
    events: ['PlayFailed', 'HoldFailed'],
    when: 'A file source is not .wav or .mp3 (a play source, or hold music).',
  },
  playDownload: {
    code: 400,
    subCode: 8536,
    message: 'Action failed, file could not be downloaded.',
    events: ['PlayFailed', 'HoldFailed'],
    when: 'A file source is not an http(s) URL, or its host or path says `notfound`/`invalid`.',
  },
  cognitiveServicesAuth: {
    code: 401,
    subCode: 8565,
    message:
      'Action failed due to a Cognitive Services authentication error. Please check your authorization input and ensure it is correct.',
    events: ['PlayFailed', 'RecognizeFailed', 'HoldFailed'],
    when: 'Text-to-speech or speech recognition on a call whose cognitiveServicesEndpoint is not one of EmulatorOptions.cognitiveServicesEndpoints (not linked to the resource).',
  },
  initialSilence: {
    code: 400,
    subCode: 8510,
    message: 'Action failed, initial silence time out reached.',
    events: ['RecognizeFailed'],
    when: 'Nothing was pressed or said within initialSilenceTimeoutInSeconds after the prompt.',
  },
  promptFailed: {
    code: 500,
    subCode: 8511,
    message: 'Action failed, encountered failure while trying to play the prompt.',
    events: ['RecognizeFailed'],
    when: 'A recognize prompt could not be played (with failedPlaySourceIndex).',
  },
  interDigit: {
    code: 400,
    subCode: 8532,
    message: 'Action failed, inter-digit silence time out reached.',
    events: ['RecognizeFailed'],
    when: 'Some tones, then nothing within interToneTimeoutInSeconds.',
  },
  maxTones: {
    code: 200,
    subCode: 8531,
    message: 'Action completed, max digits received.',
    events: ['RecognizeCompleted'],
    when: 'maxTonesToCollect tones were pressed.',
  },
  stopTone: {
    code: 200,
    subCode: 8514,
    message: 'Action completed as stop tone was detected.',
    events: ['RecognizeCompleted'],
    when: 'A stop tone was pressed (it is not in the collected tones).',
  },
  dtmfMatched: {
    code: 200,
    subCode: 8533,
    message: 'Action completed, DTMF option matched.',
    events: ['RecognizeCompleted'],
    when: "A choice's tone was pressed.",
  },
  speechMatched: {
    code: 200,
    subCode: 8545,
    message: 'Action completed, speech option matched.',
    events: ['RecognizeCompleted'],
    when: "What was said is one of a choice's phrases (or its label).",
  },
  speechRecognized: {
    code: 200,
    subCode: 8569,
    message: 'Action completed, speech was recognized.',
    events: ['RecognizeCompleted'],
    when: 'Something was said during speech (or speechOrDtmf) recognition.',
  },
  speechNotMatched: {
    code: 400,
    subCode: 8547,
    message: 'Action failed, recognized phrase does not match a valid option.',
    events: ['RecognizeFailed'],
    when: 'What was said matches no choice.',
  },
  incorrectTone: {
    code: 500,
    subCode: 8534,
    message: 'Action failed, incorrect tone entered.',
    events: ['RecognizeFailed'],
    when: "A tone that is no choice's was pressed during choices recognition.",
  },
} as const satisfies Record<string, ResultCode>;

export type ResultKey = keyof typeof resultCodes;

/** The wire shape of each entry: what callbacks carry. */
export const Results = Object.fromEntries(
  Object.entries(resultCodes).map(([k, { code, subCode, message }]) => [
    k,
    Object.freeze({ code, subCode, message }),
  ]),
) as { readonly [K in ResultKey]: ResultInformation };

/** The table's message for a code pair (an injected result without its own message). */
export function messageFor(code: number, subCode: number): string | undefined {
  return Object.values(resultCodes).find((r) => r.code === code && r.subCode === subCode)?.message;
}
