import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { Public } from '../auth/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { PrismaService } from '../database/prisma.service.js';

const HealthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  database: z.enum(['ok', 'unavailable']),
});

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly prisma: PrismaService) {}

  @Get()
  @Public()
  @ApiEndpoint({
    summary: 'Liveness and database check',
    response: HealthSchema,
    errors: { 503: 'The database does not answer' },
  })
  async health(@Res({ passthrough: true }) res: Response): Promise<z.output<typeof HealthSchema>> {
    try {
      await Promise.race([
        this.prisma.$queryRaw`SELECT 1`,
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000).unref()),
      ]);
      return { status: 'ok', database: 'ok' };
    } catch {
      res.status(503);
      return { status: 'unavailable', database: 'unavailable' };
    }
  }
}
