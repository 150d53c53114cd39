import { Injectable } from '@nestjs/common';
import type { FlowDocument } from '@switchboard/flow';
import { notFound } from '../common/problem.js';
import { FlowsRepository } from './flows.repository.js';
import { assertDraftValid } from './flows.service.js';

export type FlowTarget = {
  flowId: string;
  document: FlowDocument;
} & (
  | { draft: true; version: null; draftRevision: number }
  | { draft: false; version: number; /** FlowVersion.id */ flowVersionId: string }
);

/**
 * The document a test call, a replay or a scenario run is for: the flow's saved draft (refused
 * with the validator's 422, as publish refuses it, while it has errors) or a published version.
 */
@Injectable()
export class FlowTargets {
  constructor(private readonly flows: FlowsRepository) {}

  async resolve(
    flowId: string,
    target: { version?: number | undefined },
    doing: string,
  ): Promise<FlowTarget> {
    if (target.version !== undefined) {
      const v = await this.flows.findVersion(flowId, target.version);
      if (!v) {
        if (!(await this.flows.find(flowId))) throw notFound(`Flow ${flowId}`);
        throw notFound(`Version ${target.version} of flow ${flowId}`);
      }
      return {
        flowId,
        document: v.document as unknown as FlowDocument,
        draft: false,
        version: v.version,
        flowVersionId: v.id,
      };
    }
    const flow = await this.flows.find(flowId);
    if (!flow) throw notFound(`Flow ${flowId}`);
    assertDraftValid(flow.draft, doing);
    return {
      flowId,
      document: flow.draft as unknown as FlowDocument,
      draft: true,
      version: null,
      draftRevision: flow.draftRevision,
    };
  }
}
