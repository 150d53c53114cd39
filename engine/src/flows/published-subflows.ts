import { Injectable } from '@nestjs/common';
import {
  flowReferencesOf,
  MAX_SUBFLOW_DEPTH,
  type FlowDocument,
  type SubflowCatalog,
  type SubflowResolver,
  type SubflowVersion,
} from '@switchboard/flow';
import { FlowsRepository } from './flows.repository.js';

/** Flows loaded at most while following one document's calls (a guard against huge graphs). */
const MAX_LOADED = 200;

/** The published subflows one check needs, loaded: both what the validator and the simulations ask. */
export interface LoadedSubflows extends SubflowCatalog, SubflowResolver {}

/**
 * Loads the published versions a document's "Run subflow" nodes call, and the ones those call,
 * down to one level past the depth limit, so the validator (depth, cycles, signatures) and the
 * pure simulations (scenarios, replays) can follow the calls without I/O. "Latest published"
 * is resolved as of now: what a call entering the node would get.
 */
@Injectable()
export class PublishedSubflows {
  constructor(private readonly flows: FlowsRepository) {}

  async load(docs: readonly FlowDocument[], selfId?: string): Promise<LoadedSubflows> {
    const byRef = new Map<
      string,
      { version: number; versionId: string; document: FlowDocument } | null
    >();
    const byId = new Map<string, FlowDocument>();
    const key = (flowId: string, version: number | null) => `${flowId}@${version ?? 'latest'}`;
    let level = [...docs];
    for (let depth = 0; depth <= MAX_SUBFLOW_DEPTH && level.length > 0; depth++) {
      const next: FlowDocument[] = [];
      for (const doc of level) {
        for (const ref of flowReferencesOf(doc)) {
          const k = key(ref.flowId, ref.version);
          if (byRef.has(k) || byRef.size >= MAX_LOADED) continue;
          const row = await this.flows.versionWithDocument(ref.flowId, ref.version);
          const found = row
            ? {
                version: row.version,
                versionId: row.id,
                document: row.document as unknown as FlowDocument,
              }
            : null;
          byRef.set(k, found);
          if (found) {
            byId.set(found.versionId, found.document);
            next.push(found.document);
          }
        }
      }
      level = next;
    }
    return {
      ...(selfId ? { selfId } : {}),
      version: (flowId, version) => byRef.get(key(flowId, version)) ?? undefined,
      resolve: (flowId, version): SubflowVersion | undefined => {
        const found = byRef.get(key(flowId, version));
        return found ? { flowId, versionId: found.versionId, version: found.version } : undefined;
      },
      flow: (versionId) => byId.get(versionId),
    };
  }
}
