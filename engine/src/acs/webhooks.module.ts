import { Module } from '@nestjs/common';
import { DeadLettersModule } from '../dead-letters/dead-letters.module.js';
import { EntryPointsModule } from '../entry-points/entry-points.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RuntimeModule } from '../runtime/runtime.module.js';
import { AcsModule } from './acs.module.js';
import { EventGridAuth } from './event-grid-auth.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

/** POST /api/acs/events (Event Grid) and POST /api/acs/callbacks (Call Automation). */
@Module({
  imports: [AcsModule, DeadLettersModule, EntryPointsModule, MetricsModule, RuntimeModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, EventGridAuth],
})
export class WebhooksModule {}
