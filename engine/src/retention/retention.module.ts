import { Module } from '@nestjs/common';
import { FlowsModule } from '../flows/flows.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RuntimeModule } from '../runtime/runtime.module.js';
import { RetentionRepository } from './retention.repository.js';
import { RetentionService } from './retention.service.js';

/** Run retention and the step table's partitions (SWITCHBOARD_RUN_RETENTION_DAYS). */
@Module({
  imports: [FlowsModule, MetricsModule, RuntimeModule],
  providers: [RetentionRepository, RetentionService],
  exports: [RetentionService],
})
export class RetentionModule {}
