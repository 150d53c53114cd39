import { Module } from '@nestjs/common';
import { FlowsModule } from '../flows/flows.module.js';
import { PresenceController } from './presence.controller.js';
import { PresenceRepository } from './presence.repository.js';
import { PresenceService } from './presence.service.js';

@Module({
  imports: [FlowsModule],
  controllers: [PresenceController],
  providers: [PresenceRepository, PresenceService],
})
export class PresenceModule {}
