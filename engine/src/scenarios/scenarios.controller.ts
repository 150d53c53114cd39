import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { FlowIdSchema } from '../flows/flows.schemas.js';
import { ReplayService } from './replay.service.js';
import {
  MAX_REPLAY_RUNS,
  ReplayRequestSchema,
  ReplayResponseSchema,
  SavedScenarioSchema,
  SaveScenarioRequestSchema,
  ScenarioRunResponseSchema,
  TargetRequestSchema,
  type ReplayRequest,
  type SaveScenarioRequest,
  type TargetRequest,
} from './scenarios.schemas.js';
import { ScenariosService } from './scenarios.service.js';

const id = () => Param('id', new ZodPipe(FlowIdSchema));
const DRAFT_INVALID = 'The draft has validation errors (listed as for publish)';

@ApiTags('testing flows')
@Controller('api/flows')
export class ScenariosController {
  constructor(
    private readonly replays: ReplayService,
    private readonly scenarios: ScenariosService,
  ) {}

  @Post(':id/replay')
  @Roles('editor')
  @ApiEndpoint({
    summary: 'Replay recorded calls of the flow against the saved draft (default) or a version',
    description:
      'Each ended run (the given runIds, or those the filter matches: the last 24 hours, newest ' +
      `first, ${MAX_REPLAY_RUNS} at most) is fed through the pure interpreter on the target ` +
      'document, the recorded inputs (keys, speech, how callees answered, hang-ups) given at the ' +
      'same node and prompt. Per run: same, or the first divergence, the old and new paths and ' +
      'ends; where the new path asks for an input the call never gave, the run is reported so ' +
      '(unanswered), not guessed. Running calls are never replayed. The Server-Timing header ' +
      'says how long loading and replaying took.',
    body: ReplayRequestSchema,
    response: ReplayResponseSchema,
    errors: {
      400: 'A malformed field, runIds of another flow or unknown, or both draft and version',
      404: 'No such flow or version',
      409: 'A named run is still running',
      422: DRAFT_INVALID,
    },
  })
  async replay(
    @id() flowId: string,
    @Body(new ZodPipe(ReplayRequestSchema)) body: ReplayRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { response, timing } = await this.replays.replay(flowId, body);
    res.setHeader(
      'Server-Timing',
      `load;dur=${timing.loadMs.toFixed(1)}, replay;dur=${timing.replayMs.toFixed(1)}`,
    );
    return response;
  }

  @Post(':id/scenarios/run')
  @Roles('viewer')
  @ApiEndpoint({
    summary: 'Run the scenarios the saved draft (default) or a version carries',
    description:
      'Each scenario is a simulated call through the pure interpreter; a result passes when the ' +
      'call does what the scenario expects (end node, end reason, path, requests).',
    body: TargetRequestSchema,
    response: ScenarioRunResponseSchema,
    errors: {
      400: 'Both draft and version, or a malformed field',
      404: 'No such flow or version',
      422: DRAFT_INVALID,
    },
  })
  run(@id() flowId: string, @Body(new ZodPipe(TargetRequestSchema)) body: TargetRequest) {
    return this.scenarios.run(flowId, body);
  }

  @Post(':id/scenarios')
  @Roles('editor')
  @ApiEndpoint({
    summary: 'Save as test: a scenario made from a recorded run, appended to the draft',
    description:
      "The scenario makes the run's call again (its caller, clock, variables and what was done at " +
      'each prompt, keys typed at sensitive nodes written as zeros) and expects its path and end. ' +
      'It is added to the saved draft as saving the draft does (the revision moves on by one).',
    body: SaveScenarioRequestSchema,
    response: SavedScenarioSchema,
    status: 201,
    errors: {
      400: 'runId unknown or a run of another flow, or a malformed field',
      404: 'No such flow',
      409: 'The run is still running (run-not-ended), or the flow is archived',
      413: 'The draft would be over SWITCHBOARD_MAX_DOCUMENT_NODES / _BYTES',
      422: 'The draft cannot hold the scenario (e.g. it has 500 already)',
    },
  })
  save(
    @id() flowId: string,
    @Body(new ZodPipe(SaveScenarioRequestSchema)) body: SaveScenarioRequest,
    @CurrentPrincipal() me: Principal,
  ) {
    return this.scenarios.saveFromRun(flowId, body, me);
  }
}
