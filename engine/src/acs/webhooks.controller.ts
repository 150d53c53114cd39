import { Body, Controller, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Webhook } from '../auth/roles.decorator.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Event Grid posts here. No session or API token: deliveries may carry a shared secret
 * (?secret=). Call Automation callbacks (`/api/acs/callbacks`) are answered ahead of Express by
 * callback-route.ts, their one implementation.
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
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const answer = await this.webhooks.eventGrid(body, eventType, secret, authorization);
    if (answer === undefined) res.status(200);
    return answer ?? '';
  }
}
