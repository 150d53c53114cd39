import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { FlowIdSchema } from '../flows/flows.schemas.js';
import { RunDetailSchema, RunIdSchema } from '../runs/runs.schemas.js';
import {
  TestCallRequestSchema,
  TestInputAcceptedSchema,
  TestInputSchema,
  type TestCallRequest,
  type TestInput,
} from './test-calls.schemas.js';
import { TestCallsService } from './test-calls.service.js';

@ApiTags('test calls')
@Controller('api')
export class TestCallsController {
  constructor(private readonly testCalls: TestCallsService) {}

  @Post('flows/:id/test-calls')
  @Roles('editor')
  @ApiEndpoint({
    summary:
      'Place a test call of the saved draft (default) or a version, in the test-call emulator',
    description:
      'The run is flagged test: true, never bound to an entry point, and its actions go to a private ACS ' +
      'emulator the engine runs (never to ACS). The caller follows callerScript, or waits for ' +
      'POST /api/runs/{id}/test-input.',
    body: TestCallRequestSchema,
    response: RunDetailSchema,
    status: 201,
    errors: {
      404: 'No such flow or version',
      422: 'The draft has validation errors (listed as for publish)',
      429: 'Too many test calls of yours are running (Retry-After)',
    },
  })
  start(
    @Param('id', new ZodPipe(FlowIdSchema)) flowId: string,
    @Body(new ZodPipe(TestCallRequestSchema)) body: TestCallRequest,
    @CurrentPrincipal() me: Principal,
  ) {
    return this.testCalls.start(flowId, body, me);
  }

  @Post('runs/:id/test-input')
  @Roles('editor')
  @ApiEndpoint({
    summary: "Act as a test call's caller: press keys, say something, or hang up",
    body: TestInputSchema,
    response: TestInputAcceptedSchema,
    status: 202,
    errors: { 404: 'No such run', 409: 'Not a test run, or the test call has ended' },
  })
  async input(
    @Param('id', new ZodPipe(RunIdSchema)) runId: string,
    @Body(new ZodPipe(TestInputSchema)) body: TestInput,
  ) {
    await this.testCalls.input(runId, body);
    return {};
  }
}
