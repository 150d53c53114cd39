import { createHash, randomBytes } from 'node:crypto';

/** sha256 hex: how session cookies and API tokens are stored (they are random, high-entropy). */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export const newSessionToken = () => randomBytes(32).toString('base64url');

/** `sbt_<43 chars>`: recognisable in logs and secret scanners. */
export const newApiToken = () => `sbt_${randomBytes(32).toString('base64url')}`;
