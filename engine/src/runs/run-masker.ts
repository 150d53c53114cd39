import { Injectable } from '@nestjs/common';
import {
  flowReferencesOf,
  MASKED,
  MAX_SUBFLOW_DEPTH,
  sensitiveParts,
  type FlowDocument,
  type SensitiveParts,
  type TraceEntry,
} from '@switchboard/flow';
import { FlowsRepository } from '../flows/flows.repository.js';
import type { RunStepDto } from './runs.schemas.js';

const NOTHING: SensitiveParts = { nodeIds: new Set(), variables: new Set() };

/** What a version masks, and what the subflows it may call mask (by their version ids). */
interface VersionParts {
  own: SensitiveParts;
  subflows: Map<string, SensitiveParts>;
}

const NOTHING_AT_ALL: VersionParts = { own: NOTHING, subflows: new Map() };

/**
 * Masks what a run's sensitive nodes collected (Collect digits set to sensitive: a PIN, a card
 * number) wherever the runs API shows it — variables, and the tones of the events those nodes
 * received. The run itself keeps them: the flow may need them to route or to check them.
 */
@Injectable()
export class RunMasker {
  private readonly byVersion = new Map<string, Promise<VersionParts>>();

  constructor(private readonly flows: FlowsRepository) {}

  private parts(flowVersionId: string): Promise<VersionParts> {
    let p = this.byVersion.get(flowVersionId);
    if (!p) {
      // Versions and draft snapshots never change: what they mask is computed once (a subflow
      // called as "latest published" may get a version after that: the cache is bounded).
      p = this.flows
        .documentOf(flowVersionId)
        .then((doc: FlowDocument | null) => (doc ? this.withSubflows(doc) : NOTHING_AT_ALL));
      this.byVersion.set(flowVersionId, p);
      if (this.byVersion.size > 500) this.byVersion.delete(this.byVersion.keys().next().value!);
    }
    return p;
  }

  /**
   * A subflow's sensitive nodes are masked in its callers' runs too: every version a "Run
   * subflow" node may call (its pinned one, or each published one for "latest"), down the calls.
   */
  private async withSubflows(doc: FlowDocument): Promise<VersionParts> {
    const subflows = new Map<string, SensitiveParts>();
    const seen = new Set<string>();
    let level = [doc];
    for (let depth = 0; depth < MAX_SUBFLOW_DEPTH && level.length > 0; depth++) {
      const next: FlowDocument[] = [];
      for (const d of level) {
        for (const ref of flowReferencesOf(d)) {
          if (seen.has(ref.flowId)) continue;
          seen.add(ref.flowId);
          const versions = await this.flows.versionsWithDocuments(ref.flowId);
          for (const v of versions) {
            if (ref.version !== null && v.version !== ref.version) continue;
            const sub = v.document as unknown as FlowDocument;
            subflows.set(v.id, sensitiveParts(sub));
            next.push(sub);
          }
        }
      }
      level = next;
    }
    return { own: sensitiveParts(doc), subflows };
  }

  /** A masker for the steps and variables of runs of this version (identity when nothing is sensitive). */
  async forVersion(flowVersionId: string): Promise<Masker> {
    const parts = await this.parts(flowVersionId);
    return new Masker(parts);
  }
}

export class Masker {
  /** Operation contexts of the sensitive nodes' actions seen so far. */
  private readonly contexts = new Set<string>();

  private readonly parts: SensitiveParts;
  /** Every variable a sensitive node of the flow or of a subflow it calls writes. */
  private readonly variableNames: ReadonlySet<string>;

  constructor(private readonly all: VersionParts) {
    this.parts = all.own;
    const names = new Set(all.own.variables);
    for (const p of all.subflows.values()) for (const v of p.variables) names.add(v);
    this.variableNames = names;
  }

  get active(): boolean {
    if (this.parts.nodeIds.size > 0) return true;
    for (const p of this.all.subflows.values()) if (p.nodeIds.size > 0) return true;
    return false;
  }

  variables(vars: Record<string, string>): Record<string, string> {
    if (!this.active) return vars;
    let out = vars;
    for (const name of this.variableNames) {
      if (name in vars && vars[name] !== '') {
        if (out === vars) out = { ...vars };
        out[name] = MASKED;
      }
    }
    return out;
  }

  /** Steps must come in order: a node's action is seen before the event answering it. */
  step(step: RunStepDto): RunStepDto {
    if (!this.active) return step;
    // The trace says in which flow each action was made (`in`: a subflow's version).
    const traced = new Set<string>();
    for (const t of step.trace as unknown as TraceEntry[]) {
      if (t.kind !== 'action') continue;
      traced.add(t.id);
      const frame = t.in?.[t.in.length - 1];
      const parts = frame ? (this.all.subflows.get(frame.versionId) ?? NOTHING) : this.parts;
      if (parts.nodeIds.has(t.nodeId)) this.contexts.add(t.id);
    }
    for (const a of step.actions) {
      if (typeof a.id === 'string' && traced.has(a.id)) continue;
      if (typeof a.nodeId === 'string' && this.parts.nodeIds.has(a.nodeId)) {
        if (typeof a.operationContext === 'string') this.contexts.add(a.operationContext);
      }
    }
    const event = step.event as { operationContext?: unknown; tones?: unknown } | null;
    const maskTones =
      event &&
      Array.isArray(event.tones) &&
      typeof event.operationContext === 'string' &&
      this.contexts.has(event.operationContext);
    return {
      ...step,
      variables: this.variables(step.variables),
      ...(maskTones
        ? { event: { ...event, tones: (event.tones as unknown[]).map(() => '•') } }
        : {}),
    };
  }
}
