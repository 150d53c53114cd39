import type { ClipboardPayload } from './store.js';

/**
 * Copied nodes live in localStorage, so they paste into another flow open in the same browser
 * (another tab or after navigating) as well as into this one.
 */
const KEY = 'switchboard.clipboard';

export function writeClipboard(payload: ClipboardPayload): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(payload));
  } catch {
    // Storage full or disabled: copy/paste within the page still works through memory.
  }
  memory = payload;
}

let memory: ClipboardPayload | undefined;

export function readClipboard(): ClipboardPayload | undefined {
  try {
    const text = localStorage.getItem(KEY);
    if (text) {
      const parsed = JSON.parse(text) as Partial<ClipboardPayload>;
      if (
        parsed.kind === 'switchboard/nodes' &&
        Array.isArray(parsed.nodes) &&
        Array.isArray(parsed.edges)
      ) {
        return parsed as ClipboardPayload;
      }
    }
  } catch {
    // fall through to the in-memory copy
  }
  return memory;
}
