import { useEffect, useState } from 'react';
import { api, type Presence } from '../api/client.js';

/** How often an open editor says it is there (the engine's PRESENCE_BEAT_SECONDS). */
export const PRESENCE_BEAT_MS = 15_000;

const newTabId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');

/**
 * The other editor tabs that have this flow open, from this tab's heartbeat: other users, and
 * the user's own other tabs (`self`). Each mounted editor is its own tab id, so a second tab of
 * the same user is told apart from this one. Leaving says so (also when the page closes).
 */
export function usePresence(flowId: string, enabled: boolean): Presence[] {
  const [others, setOthers] = useState<Presence[]>([]);
  useEffect(() => {
    if (!enabled) return undefined;
    const tabId = newTabId();
    let stopped = false;
    const beat = () =>
      api
        .presence(flowId, tabId)
        .then((page) => !stopped && setOthers(page.items))
        .catch(() => undefined);
    void beat();
    const timer = setInterval(() => void beat(), PRESENCE_BEAT_MS);
    // Another tab coming into view is a moment worth knowing about at once.
    const onFocus = () => void beat();
    const leave = () =>
      void fetch(api.leaveUrl(flowId, tabId), {
        method: 'DELETE',
        headers: { 'content-type': 'application/json' },
        credentials: 'same-origin',
        keepalive: true,
      }).catch(() => undefined);
    window.addEventListener('focus', onFocus);
    window.addEventListener('pagehide', leave);
    return () => {
      stopped = true;
      clearInterval(timer);
      window.removeEventListener('focus', onFocus);
      window.removeEventListener('pagehide', leave);
      leave();
    };
  }, [flowId, enabled]);
  return others;
}

/** "maria is editing", "You are editing this flow in another tab", "maria and tom are editing". */
export function presenceText(others: Presence[]): string[] {
  const names = [...new Set(others.filter((p) => !p.self).map((p) => p.userName))];
  const lines: string[] = [];
  if (names.length === 1) lines.push(`${names[0]} is editing`);
  else if (names.length > 1)
    lines.push(`${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are editing`);
  const own = others.filter((p) => p.self).length;
  if (own === 1) lines.push('You are editing this flow in another tab');
  else if (own > 1) lines.push(`You are editing this flow in ${own} other tabs`);
  return lines;
}
