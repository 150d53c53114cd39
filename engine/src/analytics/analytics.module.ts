import { Module } from '@nestjs/common';
import { FlowsModule } from '../flows/flows.module.js';
import { AnalyticsController } from './analytics.controller.js';
import { AnalyticsRepository } from './analytics.repository.js';
import { AnalyticsService } from './analytics.service.js';

/** Path analytics of flows (what the designer draws on the canvas). */
@Module({
  imports: [FlowsModule],
  controllers: [AnalyticsController],
  providers: [AnalyticsRepository, AnalyticsService],
})
export class AnalyticsModule {}
