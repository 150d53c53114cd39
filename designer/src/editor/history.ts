/**
 * Undo and redo keep whole snapshots of the document (nodes, edges, meta): the store's state is
 * immutable, so a snapshot is three references and restoring one is exact. What needs care is
 * how many steps an edit makes — a burst of typing in one field or of keyboard nudges is one
 * step (coalesced by key within a second), a drag is one — and that lives here, with the stacks'
 * bound, so the store's actions only say which key an edit coalesces under.
 */
import type { DesignerEdge, DesignerNode, DocumentMeta } from './document-mapping.js';

export interface Snapshot {
  nodes: DesignerNode[];
  edges: DesignerEdge[];
  meta: DocumentMeta;
}

/** The part of the editor state history reads and writes. */
export interface HistoryState extends Snapshot {
  past: Snapshot[];
  future: Snapshot[];
  /** Increases with every change to the document; autosave and validation follow it. */
  version: number;
}

const HISTORY_LIMIT = 200;
const COALESCE_MS = 1000;

const snapshot = ({ nodes, edges, meta }: Snapshot): Snapshot => ({ nodes, edges, meta });

/** One store's undo history: the stacks are in the state, the coalescing memory is here. */
export function createHistory() {
  let lastCoalesce: { key: string; at: number } | undefined;

  return {
    /**
     * The stacks after a change to the document: the state before it pushed for undo (unless it
     * continues the edit that `coalesceKey` names), redo cleared.
     */
    record(state: HistoryState, coalesceKey?: string): Omit<HistoryState, keyof Snapshot> {
      const now = Date.now();
      const coalesce =
        coalesceKey !== undefined &&
        lastCoalesce?.key === coalesceKey &&
        now - lastCoalesce.at < COALESCE_MS;
      lastCoalesce = coalesceKey !== undefined ? { key: coalesceKey, at: now } : undefined;
      const past = coalesce ? state.past : [...state.past, snapshot(state)].slice(-HISTORY_LIMIT);
      return { past, future: [], version: state.version + 1 };
    },

    /** The state one step back; undefined: nothing to undo. */
    undo(state: HistoryState): HistoryState | undefined {
      const previous = state.past.at(-1);
      if (!previous) return undefined;
      lastCoalesce = undefined;
      return {
        ...previous,
        past: state.past.slice(0, -1),
        future: [snapshot(state), ...state.future],
        version: state.version + 1,
      };
    },

    /** The state one step forward again; undefined: nothing to redo. */
    redo(state: HistoryState): HistoryState | undefined {
      const next = state.future[0];
      if (!next) return undefined;
      lastCoalesce = undefined;
      return {
        ...next,
        past: [...state.past, snapshot(state)],
        future: state.future.slice(1),
        version: state.version + 1,
      };
    },

    /** A new document: the next edit starts a step of its own. */
    reset(): void {
      lastCoalesce = undefined;
    },
  };
}
