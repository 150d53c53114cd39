import { Inject, Injectable } from '@nestjs/common';
import { AcsExecutor } from '../acs/acs.executor.js';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { LOGGER, type Logger } from '../logging/logger.js';
import { RuntimeLoop } from './loop.js';
import { RuntimeRepository } from './runtime.repository.js';
import { RuntimeService } from './runtime.service.js';

const BATCH = 50;
/** A claimed run is this replica's to reconcile for this long. */
const LEASE_MS = 60_000;

/**
 * Finds runs whose wait deadline passed — a callback that should have come by then did not —
 * asks ACS whether the call still exists, and applies what it says: the call is gone (the run
 * ends), or it is there (a Timeout: the interpreter says its prompt again or ends the run
 * `failed`, "callbacks lost"). Claims runs with SKIP LOCKED and a lease, so each is reconciled
 * by one replica.
 */
@Injectable()
export class Reconciler extends RuntimeLoop {
  constructor(
    private readonly repo: RuntimeRepository,
    private readonly runtime: RuntimeService,
    private readonly calls: AcsExecutor,
    @Inject(ENGINE_CONFIG) config: EngineConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super('reconcile', config.runtime.reconcileIntervalMs, logger);
  }

  protected round(): Promise<unknown> {
    return this.reconcile();
  }

  async reconcile(): Promise<number> {
    const due = await this.repo.claimOverdue(BATCH, LEASE_MS);
    for (const run of due) {
      const log = this.logger.child({
        runId: run.id,
        callConnectionId: run.callConnectionId ?? undefined,
      });
      const probe = run.callConnectionId
        ? await this.calls.probe(run.test, run.callConnectionId)
        : undefined;
      if (probe?.state === 'gone') {
        log.info('reconcile: the call is gone; ending the run');
        await this.runtime.engineEvent(run.id, {
          id: `reconcile-gone:${run.id}`,
          type: 'CallDisconnected',
          callConnectionId: run.callConnectionId ?? undefined,
        });
        continue;
      }
      if (probe?.state === 'unknown')
        log.warn({ reason: probe.message }, 'reconcile: ACS did not say');
      log.info(
        { operationContext: run.awaitingContext },
        'reconcile: wait deadline passed; timing out the node',
      );
      await this.runtime.engineEvent(run.id, {
        id: `timeout:${run.awaitingContext ?? run.id}`,
        type: 'Timeout',
        ...(run.awaitingContext ? { operationContext: run.awaitingContext } : {}),
      });
    }
    return due.length;
  }
}
