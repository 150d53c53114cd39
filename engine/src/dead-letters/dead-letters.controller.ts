import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { Roles } from '../auth/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { DeadLetterPageSchema, DeadLetterQuerySchema } from './dead-letters.schemas.js';
import { DeadLettersService } from './dead-letters.service.js';

@ApiTags('dead letters')
@Controller('api/dead-letters')
export class DeadLettersController {
  constructor(private readonly letters: DeadLettersService) {}

  @Get()
  @Roles('admin')
  @ApiEndpoint({
    summary: 'Inbound events that could never be applied, newest first, with their raw bodies',
    query: DeadLetterQuerySchema,
    response: DeadLetterPageSchema,
  })
  list(@Query(new ZodPipe(DeadLetterQuerySchema)) query: z.output<typeof DeadLetterQuerySchema>) {
    return this.letters.list(query);
  }
}
