/**
 * The phone numbers the emulated resource owns — what a real resource has bought. They decide
 * two things ACS decides by ownership: which caller ids an application may present (an outbound
 * call, an add or a transfer from a number the resource does not own is refused), and which
 * numbers reach the resource's own applications (a call, transfer or add to one raises
 * IncomingCall instead of ringing a simulated phone). A PSTN call to someone else's number never
 * reaches this resource, so the control API cannot place one either.
 */
import { badRequest } from './errors.js';
import { phone } from './identifiers.js';

/**
 * What `npm start` and the README rely on: the example IVR is bound to +18005550100, and a few
 * spare numbers leave room for a second app (an agent desk) without configuring anything.
 */
export const defaultPhoneNumbers: readonly string[] = Array.from(
  { length: 10 },
  (_, i) => `+1800555010${i}`,
);

/**
 * `refuse` (ACS): caller ids and control-API calls must use listed numbers. `allow`: any E.164
 * number may be presented or dialled — for an emulator whose applications' numbers are not known
 * ahead (the engine's private test-call emulator). Calls to unlisted numbers ring simulated
 * endpoints either way; only listed numbers route back into the resource.
 */
export type UnlistedNumbers = 'refuse' | 'allow';

export class OwnedNumbers {
  private readonly numbers = new Set<string>();

  constructor(
    initial: readonly string[],
    readonly unlisted: UnlistedNumbers = 'refuse',
  ) {
    for (const n of initial) this.add(n);
  }

  list(): string[] {
    return [...this.numbers].sort();
  }

  /** Buys a number; false when the resource already owns it. */
  add(number: string): boolean {
    const { value } = phone(number);
    if (this.numbers.has(value)) return false;
    this.numbers.add(value);
    return true;
  }

  /** Releases a number; false when the resource did not own it. */
  remove(number: string): boolean {
    return this.numbers.delete(phone(number).value);
  }

  /** A listed number: calls to it are the resource's own calls. */
  has(number: string): boolean {
    return this.numbers.has(number);
  }

  /** The caller id an action presents must be the resource's (ACS: "a number your resource owns"). */
  requireCallerId(number: string | undefined, field = 'sourceCallerIdNumber'): void {
    if (number === undefined || this.unlisted === 'allow' || this.numbers.has(number)) return;
    throw badRequest(
      `'${field}' ${number} is not a phone number of this resource: a caller id must be a number the resource owns.`,
    );
  }

  /** The control API's caller dials one of the resource's numbers, or the call never arrives. */
  requireDialled(number: string): void {
    if (this.unlisted === 'allow' || this.numbers.has(number)) return;
    throw badRequest(
      `${number} is not a number of this resource; add it with PUT /emulator/phone-numbers/${encodeURIComponent(number)} (or start the emulator with --phone-number ${number}).`,
    );
  }
}
