import { Module } from '@nestjs/common';
import { AcsModule } from '../acs/acs.module.js';
import { FlowsModule } from '../flows/flows.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { FlowCache } from './flow-cache.js';
import { RunStreams } from './run-streams.js';
import { RunsController } from './runs.controller.js';
import { RunsDb } from './runs.db.js';
import { RunsQueryRepository } from './runs-query.repository.js';
import { RunsRepository } from './runs.repository.js';
import { RunsService } from './runs.service.js';
import { RuntimeLoops } from './runtime-loops.js';
import { RuntimeService } from './runtime.service.js';

/** The call runtime (apply/outbox/reconcile) and the runs API. */
@Module({
  imports: [AcsModule, FlowsModule, MetricsModule],
  controllers: [RunsController],
  providers: [
    RunsDb,
    RunsRepository,
    RunsQueryRepository,
    FlowCache,
    RuntimeService,
    RuntimeLoops,
    RunsService,
    RunStreams,
  ],
  exports: [RuntimeService, RuntimeLoops, RunsRepository, RunsService, RunsQueryRepository],
})
export class RunsModule {}
