import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { FlowsModule } from '../flows/flows.module.js';
import { EntryPointsController } from './entry-points.controller.js';
import { EntryPointsRepository } from './entry-points.repository.js';
import { EntryPointsService } from './entry-points.service.js';

/** Addresses bound to flows. EntryPointsRepository.resolve(address) is for the call runtime. */
@Module({
  imports: [AuditModule, FlowsModule],
  controllers: [EntryPointsController],
  providers: [EntryPointsRepository, EntryPointsService],
  exports: [EntryPointsRepository],
})
export class EntryPointsModule {}
