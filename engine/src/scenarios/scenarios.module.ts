import { Module } from '@nestjs/common';
import { FlowsModule } from '../flows/flows.module.js';
import { RuntimeModule } from '../runtime/runtime.module.js';
import { RecordingsRepository } from './recordings.repository.js';
import { ReplayService } from './replay.service.js';
import { ScenariosController } from './scenarios.controller.js';
import { ScenariosService } from './scenarios.service.js';

/** Testing flows: replay recorded calls against a draft, run scenarios, Save as test. */
@Module({
  imports: [FlowsModule, RuntimeModule],
  controllers: [ScenariosController],
  providers: [RecordingsRepository, ReplayService, ScenariosService],
})
export class ScenariosModule {}
