import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { TokensController } from './tokens.controller.js';
import { TokensRepository } from './tokens.repository.js';
import { TokensService } from './tokens.service.js';

@Module({
  imports: [AuditModule],
  controllers: [TokensController],
  providers: [TokensRepository, TokensService],
  exports: [TokensRepository],
})
export class TokensModule {}
