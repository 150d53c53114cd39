import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { FlowIdSchema } from '../flows/flows.schemas.js';
import { type AnalyticsQuery, AnalyticsQuerySchema, AnalyticsSchema } from './analytics.schemas.js';
import { AnalyticsService } from './analytics.service.js';

@ApiTags('analytics')
@Controller('api/flows')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get(':id/analytics')
  @Roles('viewer')
  @ApiEndpoint({
    summary: 'Path analytics: runs through each edge and ending at each node, with end reasons',
    description:
      'Runs of the flow started in [from, to) (default: the 7 days up to now; at most 366 days), ' +
      'optionally of one version. Real calls only unless test says otherwise (true: test calls ' +
      'only; all: both). A run counts once per edge it took and once per node it entered, ' +
      'however often it did; ended counts runs whose last node it is.',
    query: AnalyticsQuerySchema,
    response: AnalyticsSchema,
    errors: { 404: 'No such flow' },
  })
  get(
    @Param('id', new ZodPipe(FlowIdSchema)) flowId: string,
    @Query(new ZodPipe(AnalyticsQuerySchema)) query: AnalyticsQuery,
  ) {
    return this.analytics.pathAnalytics(flowId, query);
  }
}
