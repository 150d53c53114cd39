import { Module } from '@nestjs/common';
import { AcsModule } from '../acs/acs.module.js';
import { FlowsModule } from '../flows/flows.module.js';
import { RunsModule } from '../runs/runs.module.js';
import { RuntimeModule } from '../runtime/runtime.module.js';
import { TestCallsController } from './test-calls.controller.js';
import { TestCallsService } from './test-calls.service.js';
import { TestRunsRepository } from './test-runs.repository.js';

/** Test calls of drafts and versions, in the private test-call emulator. */
@Module({
  imports: [AcsModule, FlowsModule, RunsModule, RuntimeModule],
  controllers: [TestCallsController],
  providers: [TestCallsService, TestRunsRepository],
  exports: [TestCallsService],
})
export class TestCallsModule {}
