import { Module } from '@nestjs/common';
import { AcsModule } from '../acs/acs.module.js';
import { FlowsModule } from '../flows/flows.module.js';
import { RuntimeModule } from '../runtime/runtime.module.js';
import { RunMasker } from './run-masker.js';
import { RunStreams } from './run-streams.js';
import { RunsController } from './runs.controller.js';
import { RunsQueryRepository } from './runs-query.repository.js';
import { RunsService } from './runs.service.js';

/** The runs API: start outbound runs, list and inspect runs, stream their steps, cancel. */
@Module({
  imports: [AcsModule, FlowsModule, RuntimeModule],
  controllers: [RunsController],
  providers: [RunsQueryRepository, RunsService, RunStreams, RunMasker],
  exports: [RunsService, RunsQueryRepository],
})
export class RunsModule {}
