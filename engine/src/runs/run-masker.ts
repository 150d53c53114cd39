import { Injectable } from '@nestjs/common';
import { MASKED, sensitiveParts, type FlowDocument, type SensitiveParts } from '@switchboard/flow';
import { FlowsRepository } from '../flows/flows.repository.js';
import type { RunStepDto } from './runs.schemas.js';

const NOTHING: SensitiveParts = { nodeIds: new Set(), variables: new Set() };

/**
 * Masks what a run's sensitive nodes collected (Collect digits set to sensitive: a PIN, a card
 * number) wherever the runs API shows it — variables, and the tones of the events those nodes
 * received. The run itself keeps them: the flow may need them to route or to check them.
 */
@Injectable()
export class RunMasker {
  private readonly byVersion = new Map<string, Promise<SensitiveParts>>();

  constructor(private readonly flows: FlowsRepository) {}

  private parts(flowVersionId: string): Promise<SensitiveParts> {
    let p = this.byVersion.get(flowVersionId);
    if (!p) {
      // Versions and draft snapshots never change: what they mask is computed once.
      p = this.flows
        .documentOf(flowVersionId)
        .then((doc: FlowDocument | null) => (doc ? sensitiveParts(doc) : NOTHING));
      this.byVersion.set(flowVersionId, p);
      if (this.byVersion.size > 500) this.byVersion.delete(this.byVersion.keys().next().value!);
    }
    return p;
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

  constructor(private readonly parts: SensitiveParts) {}

  get active(): boolean {
    return this.parts.nodeIds.size > 0;
  }

  variables(vars: Record<string, string>): Record<string, string> {
    if (!this.active) return vars;
    let out = vars;
    for (const name of this.parts.variables) {
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
    for (const a of step.actions) {
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
