import { Global, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { EnvironmentController } from './environment.controller.js';
import { EnvironmentRepository } from './environment.repository.js';
import { EnvironmentService } from './environment.service.js';

/**
 * Environment values and secrets. Global: flows (validation), the runtime (values for the
 * interpreter), scenarios and the HTTP executor (secrets) all read them.
 */
@Global()
@Module({
  imports: [AuditModule],
  controllers: [EnvironmentController],
  providers: [EnvironmentRepository, EnvironmentService],
  exports: [EnvironmentService],
})
export class EnvironmentModule {}
