import type { EnvironmentNames } from '@switchboard/flow';
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';

let loading: Promise<EnvironmentNames | undefined> | undefined;

/**
 * The engine's environment value and secret names (for "Insert variable" and the validator),
 * read once per page load; undefined until known (or when the engine cannot say), and then
 * names are not checked.
 */
export function useEnvironmentNames(): EnvironmentNames | undefined {
  const [names, setNames] = useState<EnvironmentNames>();
  useEffect(() => {
    let live = true;
    loading ??= api.environmentNames().catch(() => undefined);
    void loading.then((n) => {
      if (live) setNames(n);
    });
    return () => {
      live = false;
    };
  }, []);
  return names;
}

/** Forget what was read (after an admin changed the names on the Environment page). */
export function forgetEnvironmentNames(): void {
  loading = undefined;
}
