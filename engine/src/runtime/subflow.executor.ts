import { Injectable } from '@nestjs/common';
import type { AcsAction } from '@switchboard/flow';
import { FlowsRepository } from '../flows/flows.repository.js';
import type { ActionExecutor, SendOutcome } from './action-executor.js';
import { FlowCache } from './flow-cache.js';

/**
 * Answers a "Run subflow" node's resolveSubflow: the pinned version, or the latest published
 * one at this moment, read once — the answer (an ActionResult carrying the version) is stored
 * as the step's event, so the run records which version it called and replays see the same.
 * The version is loaded into the flow cache here so the step that enters it finds it at once.
 * A version that does not exist fails for good (the node takes its failure outcome).
 */
@Injectable()
export class SubflowExecutor implements ActionExecutor {
  readonly kinds = ['resolveSubflow'] as const;

  constructor(
    private readonly flows: FlowsRepository,
    private readonly cache: FlowCache,
  ) {}

  async execute(action: AcsAction): Promise<SendOutcome> {
    if (action.kind !== 'resolveSubflow') {
      return { ok: false, code: 'WrongExecutor', message: action.kind, retryable: false };
    }
    try {
      const found = await this.flows.resolveVersion(action.flowId, action.version);
      if (!found) {
        return {
          ok: false,
          status: 404,
          code: 'SubflowNotFound',
          message:
            action.version === null
              ? `flow ${action.flowId} has no published version`
              : `flow ${action.flowId} has no version ${action.version}`,
          retryable: false,
        };
      }
      await this.cache.get(found.id);
      return {
        ok: true,
        result: {
          subflow: { flowId: action.flowId, versionId: found.id, version: found.version },
        },
      };
    } catch (e) {
      // The database is away: the outbox sends it again (no status: nothing was done).
      return {
        ok: false,
        code: 'SubflowLookupFailed',
        message: e instanceof Error ? e.message : String(e),
        retryable: true,
      };
    }
  }
}
