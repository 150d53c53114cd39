import { Body, Controller, Get, Headers, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { FlowDocumentSchema } from '@switchboard/flow';
import { ProblemException } from '../common/problem.js';
import { MAX_STREAMS_PER_PRINCIPAL, RunStreams } from './run-streams.js';
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
  list(
    @Query(new ZodPipe(RunListQuerySchema)) query: z.output<typeof RunListQuerySchema>,
    @CurrentPrincipal() me: Principal,
  ) {
    return this.runs.list(query, me);
  }

  @Get(':id')
  @Roles('viewer', 'runner')
  @ApiEndpoint({
    summary: 'One run: version, current node, variables and every step',
    response: RunDetailSchema,
    errors: { 404: 'No such run' },
  })
  get(@runId() id: string, @CurrentPrincipal() me: Principal) {
    return this.runs.get(id, me);
  }

  @Get(':id/document')
  @Roles('viewer', 'runner')
  @ApiEndpoint({
    summary: 'The flow document the run walked: its published version, or its draft snapshot',
    response: FlowDocumentSchema,
    errors: { 404: 'No such run' },
  })
  document(@runId() id: string, @CurrentPrincipal() me: Principal) {
    return this.runs.document(id, me);
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
    errors: { 404: 'No such run', 429: 'Too many live streams open (Retry-After)' },
  })
  async stream(
    @runId() id: string,
    @Query(new ZodPipe(StreamQuerySchema)) query: z.output<typeof StreamQuerySchema>,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
    @CurrentPrincipal() me: Principal,
  ) {
    // A 404 (unknown, or not the runner's) through the problem filter like any other.
    await this.runs.visible(id, me);
    if (this.streams.openBy(me.actor) >= MAX_STREAMS_PER_PRINCIPAL) {
      throw new ProblemException(
        429,
        'too-many-streams',
        `You have ${MAX_STREAMS_PER_PRINCIPAL} live streams open; close one first`,
        { retryAfter: 5 },
      );
    }
    const after =
      lastEventId !== undefined && /^\d+$/.test(lastEventId)
        ? Number(lastEventId)
        : (query.after ?? -1);
    this.streams.open(id, after, me.actor, req, res);
  }
}
