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

/** The result codes callbacks carry live in one table (result-codes.ts), with when each is sent. */
export { Results, type ResultInformation } from './result-codes.js';
