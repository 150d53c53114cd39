import { Body, Controller, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Webhook } from '../auth/roles.decorator.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * ACS and Event Grid post here. No session or API token: Event Grid deliveries may carry a
 * shared secret (?secret=), callbacks carry an RS256 JWT that the service verifies.
 */
@ApiExcludeController()
@Controller('api/acs')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('events')
  @Webhook()
  @HttpCode(200)
  async events(
    @Body() body: unknown,
    @Headers('aeg-event-type') eventType: string | undefined,
    @Query('secret') secret: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const answer = await this.webhooks.eventGrid(body, eventType, secret);
    if (answer === undefined) res.status(200);
    return answer ?? '';
  }

  @Post('callbacks')
  @Webhook()
  @HttpCode(200)
  async callbacks(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ) {
    await this.webhooks.callback(authorization, body);
    return '';
  }
}
