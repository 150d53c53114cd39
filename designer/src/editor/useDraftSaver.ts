import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, type DraftConflict } from '../api/client.js';
import type { EditorStore } from './store.js';

export type SaveStatus = 'saved' | 'dirty' | 'saving' | 'error' | 'conflict';

export const AUTOSAVE_MS = 1200;

/**
 * Autosave (debounced) and save-now for one flow's draft. Each save sends the revision it was
 * loaded or last saved at in `If-Match`; a 409 stops saving and reports the conflict.
 */
export function useDraftSaver(
  store: EditorStore,
  flowId: string,
  initialRevision: number | string,
  enabled: boolean,
) {
  const revision = useRef(initialRevision);
  const savedVersion = useRef(store.getState().version);
  const inFlight = useRef<Promise<boolean> | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const blocked = useRef(false);
  const [status, setStatus] = useState<SaveStatus>('saved');
  const [error, setError] = useState<string>();
  const [conflict, setConflict] = useState<DraftConflict | null>(null);
  const saveRef = useRef<() => Promise<boolean>>(() => Promise.resolve(false));

  const save = useCallback(async (): Promise<boolean> => {
    clearTimeout(timer.current);
    if (!enabled || blocked.current) return false;
    while (inFlight.current) await inFlight.current;
    const state = store.getState();
    const version = state.version;
    if (version === savedVersion.current) return true;
    setStatus('saving');
    const document = state.toDocument();
    const attempt = (async () => {
      try {
        const result = await api.saveDraft(flowId, document, revision.current);
        revision.current = result.revision;
        savedVersion.current = version;
        setError(undefined);
        const now = store.getState().version;
        setStatus(now === version ? 'saved' : 'dirty');
        if (now !== version) {
          timer.current = setTimeout(() => void saveRef.current(), AUTOSAVE_MS);
        }
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) {
          blocked.current = true;
          const p = e.problem;
          setConflict({
            revision: (p['revision'] ?? p['currentRevision']) as number | string,
            updatedBy: (p['updatedBy'] as string | undefined) ?? null,
            updatedAt: p['updatedAt'] as string | undefined,
          });
          setStatus('conflict');
        } else {
          setError(e instanceof ApiError ? e.describe() : String(e));
          setStatus('error');
        }
        return false;
      }
    })();
    inFlight.current = attempt;
    try {
      return await attempt;
    } finally {
      inFlight.current = null;
    }
  }, [enabled, flowId, store]);

  useEffect(() => {
    saveRef.current = save;
  }, [save]);

  useEffect(() => {
    if (!enabled) return undefined;
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.version === previous.version || blocked.current) return;
      if (state.version !== savedVersion.current) {
        setStatus((s) => (s === 'saving' ? s : 'dirty'));
        clearTimeout(timer.current);
        timer.current = setTimeout(() => void save(), AUTOSAVE_MS);
      }
    });
    return () => {
      unsubscribe();
      clearTimeout(timer.current);
    };
  }, [enabled, save, store]);

  /** After the document was replaced from the server (reload theirs). */
  const reset = useCallback(
    (newRevision: number | string) => {
      clearTimeout(timer.current);
      revision.current = newRevision;
      savedVersion.current = store.getState().version;
      blocked.current = false;
      setConflict(null);
      setError(undefined);
      setStatus('saved');
    },
    [store],
  );

  const dirty = useCallback(
    () => enabled && store.getState().version !== savedVersion.current,
    [enabled, store],
  );

  const currentRevision = useCallback(() => revision.current, []);

  return { status, error, conflict, save, reset, dirty, currentRevision };
}
