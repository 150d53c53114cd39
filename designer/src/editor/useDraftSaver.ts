import type { FlowDocument, Scenario } from '@switchboard/flow';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, type DraftConflict, type FlowDetail } from '../api/client.js';
import { mergeDrafts, type MergeConflict, type Side } from './merge.js';
import { scenariosAddedOnServer } from './scenarioEdits.js';
import type { EditorStore } from './store.js';

export type SaveStatus = 'saved' | 'dirty' | 'saving' | 'error' | 'conflict';

export const AUTOSAVE_MS = 1200;

/** A save refused because someone saved first, and what a merge with their draft could not decide. */
export interface SaveConflict extends DraftConflict {
  /** Fields both changed, with both values (empty when their draft was not readable). */
  conflicts: MergeConflict[];
}

/**
 * Autosave (debounced) and save-now for one flow's draft. Each save sends the revision it was
 * loaded or last saved at in `If-Match`; a 409 stops saving and reports the conflict — unless all
 * that changed on the server is scenarios appended to the draft (Save as test on a call does
 * that): those are taken into the editor's document and the save goes on at the new revision, so
 * the editor neither overwrites them nor calls it a conflict. `sync` looks for such a change
 * before one happens (on focus, before publishing).
 *
 * Any other change on the server is merged three ways (merge.ts: base = the draft as this editor
 * last had it from the server, mine = the editor's document, theirs = the server's): when no
 * field was changed on both sides, the merge goes into the editor (one undo step) and is saved at
 * their revision without asking; otherwise the conflict lists those fields with both values for
 * `resolve` to decide.
 */
export function useDraftSaver(
  store: EditorStore,
  flowId: string,
  initial: { revision: number | string; document: FlowDocument },
  enabled: boolean,
  onScenariosMerged?: (added: Scenario[]) => void,
  /** Someone else's changes were merged with this editor's without a conflict. */
  onDraftMerged?: (by: string | null) => void,
) {
  const revision = useRef(initial.revision);
  /** The draft as the server has it at `revision` (as loaded, or as this editor last saved it). */
  const lastSaved = useRef(initial.document);
  /** Set while the server's scenarios are merged in: that change is not the user's to save. */
  const merging = useRef(false);
  const onMerged = useRef(onScenariosMerged);
  const onDraftMergedRef = useRef(onDraftMerged);
  useEffect(() => {
    onMerged.current = onScenariosMerged;
    onDraftMergedRef.current = onDraftMerged;
  });
  /** The server's draft a conflict was found against (what `resolve` merges with). */
  const theirs = useRef<FlowDetail | undefined>(undefined);
  const savedVersion = useRef(store.getState().version);
  const inFlight = useRef<Promise<boolean> | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const blocked = useRef(false);
  const [status, setStatus] = useState<SaveStatus>('saved');
  const [error, setError] = useState<string>();
  const [conflict, setConflict] = useState<SaveConflict | null>(null);
  const saveRef = useRef<() => Promise<boolean>>(() => Promise.resolve(false));

  /**
   * Takes the server's draft as the new base when it only added scenarios to the one last saved:
   * they join the editor's document (and its undo steps), and saving continues at its revision.
   * False when anything else changed there.
   */
  const adopt = useCallback(
    (fresh: FlowDetail): boolean => {
      const added = scenariosAddedOnServer(lastSaved.current, fresh.draft);
      if (!added) return false;
      const wasSaved = store.getState().version === savedVersion.current;
      merging.current = true;
      try {
        store.getState().mergeScenarios(added);
      } finally {
        merging.current = false;
      }
      revision.current = fresh.revision;
      lastSaved.current = fresh.draft;
      // Nothing of the user's was unsaved: the document is now what the server has.
      if (wasSaved) savedVersion.current = store.getState().version;
      if (added.length > 0) onMerged.current?.(added);
      return true;
    },
    [store],
  );

  /** Puts a merge into the editor, based on the server's draft (saved next, at its revision). */
  const take = useCallback(
    (merged: FlowDocument, fresh: FlowDetail) => {
      merging.current = true;
      try {
        store.getState().replaceDocument(merged);
      } finally {
        merging.current = false;
      }
      revision.current = fresh.revision;
      lastSaved.current = fresh.draft;
    },
    [store],
  );

  /** A save that did not go through: a conflict (blocks saving) or an error (the next may work). */
  const failed = useCallback((e: unknown, conflicts: MergeConflict[] = []): false => {
    if (e instanceof ApiError && e.status === 409) {
      blocked.current = true;
      const p = e.problem;
      const fresh = theirs.current;
      setConflict({
        revision: fresh?.revision ?? ((p['revision'] ?? p['currentRevision']) as number | string),
        updatedBy: fresh?.updatedBy ?? (p['updatedBy'] as string | undefined) ?? null,
        updatedAt: fresh?.updatedAt ?? (p['updatedAt'] as string | undefined),
        conflicts,
      });
      setStatus('conflict');
    } else {
      setError(e instanceof ApiError ? e.describe() : String(e));
      setStatus('error');
    }
    return false;
  }, []);

  const save = useCallback(async (): Promise<boolean> => {
    clearTimeout(timer.current);
    if (!enabled || blocked.current) return false;
    while (inFlight.current) await inFlight.current;
    if (store.getState().version === savedVersion.current) return true;
    setStatus('saving');
    const attempt = (async () => {
      // A second try only after taking in scenarios the server added (see adopt).
      for (let tries = 0; ; tries++) {
        const state = store.getState();
        const version = state.version;
        const document = state.toDocument();
        try {
          const result = await api.saveDraft(flowId, document, revision.current);
          revision.current = result.revision;
          lastSaved.current = document;
          savedVersion.current = version;
          setError(undefined);
          const now = store.getState().version;
          setStatus(now === version ? 'saved' : 'dirty');
          if (now !== version) {
            timer.current = setTimeout(() => void saveRef.current(), AUTOSAVE_MS);
          }
          return true;
        } catch (e) {
          if (!(e instanceof ApiError && e.status === 409) || tries >= 3) return failed(e);
          const fresh = await api.getFlow(flowId).catch(() => undefined);
          theirs.current = fresh;
          if (!fresh) return failed(e);
          if (tries === 0 && adopt(fresh)) continue;
          const { merged, conflicts } = mergeDrafts(
            lastSaved.current,
            store.getState().toDocument(),
            fresh.draft,
          );
          if (conflicts.length > 0) return failed(e, conflicts);
          take(merged, fresh);
          onDraftMergedRef.current?.(fresh.updatedBy ?? null);
        }
      }
    })();
    inFlight.current = attempt;
    try {
      return await attempt;
    } finally {
      inFlight.current = null;
    }
  }, [adopt, enabled, failed, flowId, store, take]);

  /** Decides a conflict's fields (mine unless chosen otherwise), merges, and saves. */
  const resolve = useCallback(
    async (choices: Record<string, Side>): Promise<boolean> => {
      const fresh = theirs.current;
      if (!fresh) return false;
      const { merged } = mergeDrafts(
        lastSaved.current,
        store.getState().toDocument(),
        fresh.draft,
        (key) => choices[key] ?? 'mine',
      );
      take(merged, fresh);
      blocked.current = false;
      setConflict(null);
      return saveRef.current();
    },
    [store, take],
  );

  /**
   * Looks at the server's draft: if someone added scenarios to it (and nothing else) since this
   * editor saved, takes them in now, before the next save would be refused.
   */
  const sync = useCallback(async (): Promise<void> => {
    if (!enabled || blocked.current) return;
    while (inFlight.current) await inFlight.current;
    const attempt = (async () => {
      const fresh = await api.getFlow(flowId).catch(() => undefined);
      if (fresh && String(fresh.revision) !== String(revision.current)) adopt(fresh);
      return true;
    })();
    inFlight.current = attempt;
    try {
      await attempt;
    } finally {
      inFlight.current = null;
    }
  }, [adopt, enabled, flowId]);

  useEffect(() => {
    saveRef.current = save;
  }, [save]);

  useEffect(() => {
    if (!enabled) return undefined;
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.version === previous.version || blocked.current || merging.current) return;
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
      lastSaved.current = store.getState().toDocument();
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

  return { status, error, conflict, save, sync, reset, resolve, dirty, currentRevision };
}
