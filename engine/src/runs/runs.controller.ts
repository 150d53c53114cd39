import { Body, Controller, Get, Headers, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { FlowDocumentSchema } from '@switchboard/flow';
import { RunStreams } from './run-streams.js';
import {
  RunDetailSchema,
  RunIdSchema,
  RunListQuerySchema,
  RunPageSchema,
  StartRunSchema,
  StreamQuerySchema,
} from './runs.schemas.js';
import { RunsService } from './runs.service.js';

const runId = () => Param('id', new ZodPipe(RunIdSchema));

@ApiTags('runs')
@Controller('api/runs')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly streams: RunStreams,
  ) {}

  @Post()
  @Roles('runner', 'publisher')
  @ApiEndpoint({
    summary: 'Start an outbound call (a run of a flow that starts with an outbound-call trigger)',
    body: StartRunSchema,
    response: RunDetailSchema,
    status: 201,
    errors: {
      409: 'Flow archived or never published',
      422: 'Unknown flow/version, or not an outbound flow',
    },
  })
  start(
    @Body(new ZodPipe(StartRunSchema)) body: z.output<typeof StartRunSchema>,
    @CurrentPrincipal() me: Principal,
  ) {
    return this.runs.startOutbound(body, me);
  }

  @Get()
  @Roles('viewer', 'runner')
  @ApiEndpoint({
    summary: 'List runs, newest first',
    query: RunListQuerySchema,
    response: RunPageSchema,
  })
  list(@Query(new ZodPipe(RunListQuerySchema)) query: z.output<typeof RunListQuerySchema>) {
    return this.runs.list(query);
  }

  @Get(':id')
  @Roles('viewer', 'runner')
  @ApiEndpoint({
    summary: 'One run: version, current node, variables and every step',
    response: RunDetailSchema,
    errors: { 404: 'No such run' },
  })
  get(@runId() id: string) {
    return this.runs.get(id);
  }

  @Get(':id/document')
  @Roles('viewer', 'runner')
  @ApiEndpoint({
    summary: 'The flow document the run walked: its published version, or its draft snapshot',
    response: FlowDocumentSchema,
    errors: { 404: 'No such run' },
  })
  document(@runId() id: string) {
    return this.runs.document(id);
  }

  @Post(':id/cancel')
  @Roles('publisher', 'runner')
  @ApiEndpoint({
    summary: 'Hang up and end the run (reason cancelled); a finished run is returned as is',
    response: RunDetailSchema,
    errors: { 404: 'No such run' },
  })
  cancel(@runId() id: string, @CurrentPrincipal() me: Principal) {
    return this.runs.cancel(id, me);
  }

  @Get(':id/stream')
  @Roles('viewer', 'runner')
  @ApiProduces('text/event-stream')
  @ApiEndpoint({
    summary:
      'Server-Sent Events: each step of the run as it is committed (event: step), then event: end',
    description:
      'Steps after Last-Event-ID (a reconnecting EventSource sends it), or after ?after=<seq> ' +
      '(a first connection that already holds the steps up to seq); else from step 0.',
    query: StreamQuerySchema,
    produces: 'text/event-stream',
    errors: { 404: 'No such run' },
  })
  async stream(
    @runId() id: string,
    @Query(new ZodPipe(StreamQuerySchema)) query: z.output<typeof StreamQuerySchema>,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    if (!(await this.runs.exists(id))) {
      // Through the problem filter like any other 404.
      await this.runs.get(id);
    }
    const after =
      lastEventId !== undefined && /^\d+$/.test(lastEventId)
        ? Number(lastEventId)
        : (query.after ?? -1);
    this.streams.open(id, after, req, res);
  }
}
