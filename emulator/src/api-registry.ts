/**
 * What of the Call Automation API the emulator covers, in the spec's own names: the callback
 * events it sends (the call model's emit() takes only these, so an event sent is an event
 * listed) and the operations it answers (a test probes each against a running emulator, so a
 * route added or removed without this list fails). README.md's coverage table is generated
 * from here and from spec/call-automation-2026-03-12.json.
 */

/** Every callback event type the emulator sends. */
export const CALLBACK_EVENTS = [
  'AddParticipantFailed',
  'AddParticipantSucceeded',
  'AnswerFailed',
  'CallConnected',
  'CallDisconnected',
  'CallTransferAccepted',
  'CallTransferFailed',
  'CancelAddParticipantFailed',
  'CancelAddParticipantSucceeded',
  'ConnectFailed',
  'ContinuousDtmfRecognitionStopped',
  'ContinuousDtmfRecognitionToneFailed',
  'ContinuousDtmfRecognitionToneReceived',
  'CreateCallFailed',
  'HoldFailed',
  'MoveParticipantFailed',
  'MoveParticipantSucceeded',
  'ParticipantsUpdated',
  'PlayCanceled',
  'PlayCompleted',
  'PlayFailed',
  'PlayStarted',
  'RecognizeCanceled',
  'RecognizeCompleted',
  'RecognizeFailed',
  'RemoveParticipantFailed',
  'RemoveParticipantSucceeded',
  'SendDtmfTonesCompleted',
  'SendDtmfTonesFailed',
] as const;

export type CallbackEventType = (typeof CALLBACK_EVENTS)[number];

/** The spec operations (by operationId) the emulator implements. */
export const IMPLEMENTED_OPERATIONS = [
  'CreateCall',
  'AnswerCall',
  'RedirectCall',
  'RejectCall',
  'Connect',
  'CallConnection_GetCall',
  'CallConnection_HangupCall',
  'CallConnection_TerminateCall',
  'CallConnection_TransferToParticipant',
  'CallMedia_Play',
  'CallMedia_CancelAllMediaOperations',
  'CallMedia_Recognize',
  'CallMedia_StartContinuousDtmfRecognition',
  'CallMedia_StopContinuousDtmfRecognition',
  'CallMedia_SendDtmfTones',
  'CallMedia_Hold',
  'CallMedia_Unhold',
  'CallConnection_GetParticipants',
  'CallConnection_AddParticipant',
  'CallConnection_RemoveParticipant',
  'CallConnection_Mute',
  'CallConnection_CancelAddParticipant',
  'CallConnection_MoveParticipants',
  'CallConnection_GetParticipant',
] as const;

/** Event Grid events the emulator publishes. */
export const EVENT_GRID_EVENTS = ['IncomingCall'] as const;
