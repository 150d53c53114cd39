import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { FlowTargets } from './flow-targets.js';
import { FlowsController } from './flows.controller.js';
import { FlowsRepository } from './flows.repository.js';
import { FlowsService } from './flows.service.js';
import { PublishedSubflows } from './published-subflows.js';

/**
 * Flows, drafts and published versions. FlowsRepository is exported for the call runtime,
 * FlowTargets for whatever runs a draft or a version (test calls, replays, scenarios).
 */
@Module({
  imports: [AuditModule],
  controllers: [FlowsController],
  providers: [FlowsRepository, FlowsService, FlowTargets, PublishedSubflows],
  exports: [FlowsRepository, FlowsService, FlowTargets, PublishedSubflows],
})
export class FlowsModule {}
