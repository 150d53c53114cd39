/**
 * What the emulated ACS resource owns: its phone numbers, its users (and their tokens) and its
 * rooms. The call model asks it whose a caller id or a call target is; the Identity and Rooms
 * APIs and the control API change it.
 */
import { Identities } from './identities.js';
import type { Identity } from './identifiers.js';
import { OwnedNumbers, type UnlistedNumbers } from './phone-numbers.js';
import { Rooms } from './rooms.js';
import type { CallbackTokenSigner } from './signing.js';

export class EmulatedResource {
  readonly numbers: OwnedNumbers;
  readonly identities: Identities;
  readonly rooms = new Rooms();

  constructor(
    readonly id: string,
    options: { phoneNumbers: readonly string[]; unlistedNumbers?: UnlistedNumbers },
    signer: CallbackTokenSigner,
  ) {
    this.numbers = new OwnedNumbers(options.phoneNumbers, options.unlistedNumbers);
    this.identities = new Identities(id, signer);
  }

  /** Whether calls to `target` are the resource's own calls, and why. */
  owns(target: Identity): 'number' | 'user' | undefined {
    if (target.kind === 'phoneNumber') return this.numbers.has(target.value) ? 'number' : undefined;
    if (target.kind === 'communicationUser') {
      return this.identities.has(target.rawId) ? 'user' : undefined;
    }
    return undefined;
  }
}
