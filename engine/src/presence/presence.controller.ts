import { Body, Controller, Delete, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { FlowIdSchema } from '../flows/flows.schemas.js';
import { HeartbeatSchema, PresencePageSchema, TabIdSchema } from './presence.schemas.js';
import { PresenceService } from './presence.service.js';

@ApiTags('flows')
@Controller('api/flows/:id/presence')
export class PresenceController {
  constructor(private readonly presence: PresenceService) {}

  @Put()
  @Roles('editor')
  @ApiEndpoint({
    summary: "An editor tab's heartbeat; answers who else has the flow open",
    description:
      'Send every 15 s while the flow is open in an editor. The answer lists the other tabs seen in the last 35 s: other users, and the caller’s own other tabs (`self`).',
    body: HeartbeatSchema,
    response: PresencePageSchema,
    errors: { 404: 'No such flow' },
  })
  beat(
    @Param('id', new ZodPipe(FlowIdSchema)) flowId: string,
    @Body(new ZodPipe(HeartbeatSchema)) body: z.output<typeof HeartbeatSchema>,
    @CurrentPrincipal() me: Principal,
  ) {
    return this.presence.beat(flowId, body.tabId, me);
  }

  @Delete(':tabId')
  @Roles('editor')
  @ApiEndpoint({ summary: 'An editor tab closed the flow', status: 204 })
  async leave(
    @Param('id', new ZodPipe(FlowIdSchema)) flowId: string,
    @Param('tabId', new ZodPipe(TabIdSchema)) tabId: string,
    @CurrentPrincipal() me: Principal,
  ) {
    await this.presence.leave(flowId, tabId, me);
  }
}
