/**
 * Reading Call Automation request bodies: the field rules every REST operation shares (callback
 * URIs, optional strings, caller ids), answering a bad field with the ACS-style 400 the SDK
 * expects.
 */
import { badRequest } from './errors.js';
import { parseIdentityString } from './identifiers.js';

export const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

export function requireCallbackUri(v: unknown, field = 'callbackUri'): string {
  const s = str(v);
  if (!s) throw badRequest(`'${field}' is required.`);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw badRequest(`'${field}' must be an absolute URL.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw badRequest(`'${field}' must be an http(s) URL.`);
  }
  return s;
}

export function optionalUri(v: unknown, field: string): string | undefined {
  return v === undefined || v === null || v === '' ? undefined : requireCallbackUri(v, field);
}

export function callerId(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const value = (v as { value?: unknown }).value;
  if (typeof value !== 'string') throw badRequest("'sourceCallerIdNumber.value' is required.");
  return parseIdentityString(value).value;
}
