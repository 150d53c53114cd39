import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { FlowsController } from './flows.controller.js';
import { FlowsRepository } from './flows.repository.js';
import { FlowsService } from './flows.service.js';

/** Flows, drafts and published versions. FlowsRepository is exported for the call runtime. */
@Module({
  imports: [AuditModule],
  controllers: [FlowsController],
  providers: [FlowsRepository, FlowsService],
  exports: [FlowsRepository, FlowsService],
})
export class FlowsModule {}
