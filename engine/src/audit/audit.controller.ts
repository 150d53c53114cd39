import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { AuditPageSchema, AuditQuerySchema } from './audit.schemas.js';
import { AuditService } from './audit.service.js';
import type { z } from 'zod';

@ApiTags('audit')
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('admin')
  @ApiEndpoint({
    summary: 'The audit log, newest first',
    query: AuditQuerySchema,
    response: AuditPageSchema,
  })
  list(@Query(new ZodPipe(AuditQuerySchema)) query: z.output<typeof AuditQuerySchema>) {
    return this.audit.list(query);
  }
}
