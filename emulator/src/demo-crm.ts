import type { ServerResponse } from 'node:http';
import { send } from './http-util.js';

/**
 * A stand-in CRM for the example flow `caller-lookup` (flow/examples), so it runs with no
 * internet: `GET /demo/crm/customers/{phone}` answers the customer's tier. The tier follows
 * from the number's last digit (0–2 gold, 3–5 silver, 6–8 bronze); numbers ending in 9 are
 * unknown (404).
 */
export function handleDemoCrm(method: string, path: string, res: ServerResponse): boolean {
  const m = /^\/demo\/crm\/customers\/([^/]+)$/.exec(path);
  if (!m) return false;
  if (method !== 'GET') {
    send(res, 405, { error: 'only GET' });
    return true;
  }
  const phone = decodeURIComponent(m[1] as string);
  const last = Number(phone.at(-1));
  if (!/^\+?\d{6,15}$/.test(phone) || last === 9) {
    send(res, 404, { error: 'no such customer', phone });
    return true;
  }
  const tier = last <= 2 ? 'gold' : last <= 5 ? 'silver' : 'bronze';
  send(res, 200, { customer: { phone, tier, name: `Demo customer ${phone.slice(-4)}` } });
  return true;
}
