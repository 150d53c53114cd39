import { Injectable } from '@nestjs/common';
import {
  compileFlow,
  type CallEvent,
  type CompiledFlow,
  type FlowDocument,
  type FlowLookup,
  type RunState,
} from '@switchboard/flow';
import { FlowsRepository } from '../flows/flows.repository.js';

const MAX_ENTRIES = 200;

/**
 * Compiled flows by FlowVersion (or draft snapshot) id. Versions are immutable, so this is a cache of immutable
 * data (LRU by insertion refresh), never state: every replica can rebuild it from Postgres.
 */
@Injectable()
export class FlowCache {
  private readonly entries = new Map<string, CompiledFlow>();
  private readonly loading = new Map<string, Promise<CompiledFlow>>();

  constructor(private readonly flows: FlowsRepository) {}

  /** Compiles a document already in hand (the run's start) and keeps it. */
  put(flowVersionId: string, document: FlowDocument): CompiledFlow {
    const hit = this.entries.get(flowVersionId);
    if (hit) return hit;
    const compiled = compileFlow(document);
    this.remember(flowVersionId, compiled);
    return compiled;
  }

  async get(flowVersionId: string): Promise<CompiledFlow> {
    const hit = this.entries.get(flowVersionId);
    if (hit) {
      // Refresh recency.
      this.entries.delete(flowVersionId);
      this.entries.set(flowVersionId, hit);
      return hit;
    }
    let p = this.loading.get(flowVersionId);
    if (!p) {
      p = (async () => {
        const doc = await this.flows.documentOf(flowVersionId);
        if (!doc) throw new Error(`flow version ${flowVersionId} does not exist`);
        const compiled = compileFlow(doc);
        this.remember(flowVersionId, compiled);
        return compiled;
      })().finally(() => this.loading.delete(flowVersionId));
      this.loading.set(flowVersionId, p);
    }
    return p;
  }

  /**
   * The interpreter's lookup of subflows for one step, loaded first (the step itself stays
   * pure): every version on the run's frames, and the one the event resolves a subflow call to.
   * A version that cannot be loaded is left out: the interpreter fails that call, traced.
   */
  async lookupFor(state: RunState, event?: CallEvent): Promise<FlowLookup | undefined> {
    const ids = (state.frames ?? []).map((f) => f.versionId);
    if (event?.subflow) ids.push(event.subflow.versionId);
    if (ids.length === 0) return undefined;
    const loaded = new Map<string, CompiledFlow>();
    for (const id of new Set(ids)) {
      const flow = await this.get(id).catch(() => undefined);
      if (flow) loaded.set(id, flow);
    }
    return (id) => loaded.get(id);
  }

  private remember(id: string, compiled: CompiledFlow): void {
    this.entries.set(id, compiled);
    while (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
