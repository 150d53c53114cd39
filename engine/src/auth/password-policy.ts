import { COMMON_PASSWORDS } from './common-passwords.js';

export const MIN_PASSWORD_LENGTH = 12;

/**
 * Why a new password is refused, in words for the person choosing it; undefined when it is
 * acceptable. Length is counted in characters as people see them (code points), not UTF-16 units.
 */
export function passwordWeakness(password: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  }
  // Case-insensitive: "Password1234" is guessed as early as "password1234".
  if (COMMON_PASSWORDS.has(password.toLowerCase())) {
    return 'is one of the most common passwords, which are guessed first; choose another';
  }
  return undefined;
}
