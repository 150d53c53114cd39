import {
  flowReferencesOf,
  MAX_SUBFLOW_DEPTH,
  type FlowDocument,
  type SubflowResolver,
} from '@switchboard/flow';
import { api } from '../api/client.js';

type Loaded = { version: number; document: FlowDocument } | null;

/**
 * The published subflows a draft calls, loaded from the engine as the draft names them, for the
 * scenarios the editor runs in the browser (the same pure simulation the engine runs): "latest
 * published" is the latest when it was loaded. Version ids here are `<flowId>@<version>`.
 */
export class BrowserSubflows {
  private readonly byRef = new Map<string, Loaded | Promise<Loaded>>();
  private readonly byId = new Map<string, FlowDocument>();

  constructor(
    private readonly fetchVersion: (
      flowId: string,
      version: number | null,
    ) => Promise<Loaded> = fetchPublished,
  ) {}

  readonly resolver: SubflowResolver = {
    resolve: (flowId, version) => {
      const found = this.byRef.get(key(flowId, version));
      if (!found || found instanceof Promise) return undefined;
      return { flowId, versionId: `${flowId}@${found.version}`, version: found.version };
    },
    flow: (versionId) => this.byId.get(versionId),
  };

  /** Loads what `doc` calls (and what those call) that is not loaded yet; true if anything new came. */
  async load(doc: FlowDocument): Promise<boolean> {
    let changed = false;
    let level = [doc];
    for (let depth = 0; depth < MAX_SUBFLOW_DEPTH && level.length > 0; depth++) {
      const next: FlowDocument[] = [];
      for (const d of level) {
        for (const ref of flowReferencesOf(d)) {
          const k = key(ref.flowId, ref.version);
          const have = this.byRef.get(k);
          if (have !== undefined) {
            const done = await have;
            if (done) next.push(done.document);
            continue;
          }
          const p = this.fetchVersion(ref.flowId, ref.version).catch(() => null);
          this.byRef.set(k, p);
          const found = await p;
          this.byRef.set(k, found);
          if (found) {
            this.byId.set(`${ref.flowId}@${found.version}`, found.document);
            next.push(found.document);
            changed = true;
          }
        }
      }
      level = next;
    }
    return changed;
  }
}

const key = (flowId: string, version: number | null) => `${flowId}@${version ?? 'latest'}`;

async function fetchPublished(flowId: string, version: number | null): Promise<Loaded> {
  const v = version ?? (await api.getFlow(flowId)).latestVersion;
  if (v === null || v === undefined) return null;
  const found = await api.getVersion(flowId, v);
  return { version: v, document: found.document };
}
