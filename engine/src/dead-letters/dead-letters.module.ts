import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { DeadLettersController } from './dead-letters.controller.js';
import { DeadLettersRepository } from './dead-letters.repository.js';
import { DeadLettersService } from './dead-letters.service.js';

/** Inbound events parked instead of retried forever, and the admin list of them. */
@Module({
  imports: [MetricsModule],
  controllers: [DeadLettersController],
  providers: [DeadLettersRepository, DeadLettersService],
  exports: [DeadLettersService],
})
export class DeadLettersModule {}
