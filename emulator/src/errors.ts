/** An error answered to the SDK in the ACS shape: `{"error":{"code","message"}}`. */
export class AcsHttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
  ) {
    super(message);
  }

  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const notFoundCall = () => new AcsHttpError(404, '8522', 'Call not found.');
export const badRequest = (message: string, code = 'BadRequest') =>
  new AcsHttpError(400, code, message);
export const notEstablished = () =>
  new AcsHttpError(400, '8501', 'Action is not valid when call is not in Established state.');

export interface ResultInformation {
  code: number;
  subCode: number;
  message: string;
}

/** The result codes callbacks carry (ACS troubleshooting codes, SIP-derived for endpoint answers). */
export const Results = {
  ok: { code: 200, subCode: 0, message: 'Action completed successfully.' },
  connected: { code: 200, subCode: 0, message: '' },
  addOk: { code: 202, subCode: 0, message: 'Action completed successfully.' },
  ended: { code: 200, subCode: 7000, message: 'The conversation has ended.' },
  noAnswer: { code: 408, subCode: 10004, message: 'Call timed out.' },
  notAnsweredCreate: { code: 408, subCode: 10004, message: 'Call not answered.' },
  declined: { code: 603, subCode: 560603, message: 'Call declined by the remote participant.' },
  busy: { code: 486, subCode: 560486, message: 'Busy here.' },
  transferFailed: { code: 500, subCode: 7004, message: 'Call transfer failed.' },
  canceled: { code: 400, subCode: 8508, message: 'Action failed, the operation was canceled.' },
  alreadyDone: {
    code: 400,
    subCode: 8523,
    message: 'Invitation has already been accepted/completed.',
  },
  participantNotFound: { code: 400, subCode: 8519, message: 'Participant not found.' },
  callNotFound: { code: 404, subCode: 8522, message: 'Call not found.' },
  playBadFormat: { code: 400, subCode: 8535, message: 'Action failed, file format is invalid.' },
  playDownload: {
    code: 400,
    subCode: 8536,
    message: 'Action failed, file could not be downloaded.',
  },
  initialSilence: {
    code: 400,
    subCode: 8510,
    message: 'Action failed, initial silence timeout reached.',
  },
  promptFailed: {
    code: 500,
    subCode: 8511,
    message: 'Action failed, encountered failure while trying to play the prompt.',
  },
  interDigit: {
    code: 400,
    subCode: 8532,
    message: 'Action failed, inter-digit silence timeout reached.',
  },
  maxTones: { code: 200, subCode: 8531, message: 'Action completed, max digits received.' },
  stopTone: { code: 200, subCode: 8514, message: 'Action completed, stop tone detected.' },
  speechMatched: { code: 200, subCode: 8545, message: 'Speech option matched.' },
  dtmfMatched: { code: 200, subCode: 8546, message: 'DTMF option matched.' },
  speechNotMatched: { code: 400, subCode: 8547, message: 'Speech option not matched.' },
  incorrectTone: { code: 400, subCode: 8534, message: 'Action failed, incorrect tone entered.' },
  speechRecognized: { code: 200, subCode: 8533, message: 'Action completed, speech recognized.' },
  participantLeft: {
    code: 400,
    subCode: 8522,
    message: 'Action failed, the participant left the call.',
  },
} satisfies Record<string, ResultInformation>;
