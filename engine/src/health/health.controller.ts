import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Public } from '../auth/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { ProblemException } from '../common/problem.js';
import { HealthRepository } from './health.repository.js';

const HealthSchema = z.object({
  status: z.literal('ok'),
  database: z.literal('ok'),
});

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly db: HealthRepository) {}

  @Get()
  @Public()
  @ApiEndpoint({
    summary: 'Liveness and database check',
    response: HealthSchema,
    errors: {
      503: 'The database does not answer (problem type unavailable, database: unavailable)',
    },
  })
  async health(): Promise<z.output<typeof HealthSchema>> {
    try {
      await Promise.race([
        this.db.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000).unref()),
      ]);
      return { status: 'ok', database: 'ok' };
    } catch {
      throw new ProblemException(503, 'unavailable', 'The database does not answer', {
        database: 'unavailable',
      });
    }
  }
}
