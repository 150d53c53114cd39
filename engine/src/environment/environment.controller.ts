import { Body, Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import {
  EnvironmentNameSchema,
  EnvironmentNamesSchema,
  EnvironmentSecretListSchema,
  EnvironmentSecretSchema,
  EnvironmentValueListSchema,
  EnvironmentValueSchema,
  PutEnvironmentSecretSchema,
  PutEnvironmentValueSchema,
} from './environment.schemas.js';
import { EnvironmentService } from './environment.service.js';

@ApiTags('environment')
@Controller('api/environment')
export class EnvironmentController {
  constructor(private readonly environment: EnvironmentService) {}

  @Get('names')
  @Roles('viewer')
  @ApiEndpoint({
    summary: 'Names of the environment values and secrets flows may reference (no values)',
    response: EnvironmentNamesSchema,
  })
  names() {
    return this.environment.names();
  }

  @Get('values')
  @Roles('admin')
  @ApiEndpoint({ summary: 'List environment values', response: EnvironmentValueListSchema })
  listValues() {
    return this.environment.listValues();
  }

  @Put('values/:name')
  @Roles('admin')
  @ApiEndpoint({
    summary: 'Set an environment value (flows read it as {{ env.NAME }})',
    body: PutEnvironmentValueSchema,
    response: EnvironmentValueSchema,
  })
  putValue(
    @Param('name', new ZodPipe(EnvironmentNameSchema)) name: string,
    @Body(new ZodPipe(PutEnvironmentValueSchema)) body: z.output<typeof PutEnvironmentValueSchema>,
    @CurrentPrincipal() me: Principal,
  ) {
    return this.environment.putValue(name, body.value, me);
  }

  @Delete('values/:name')
  @Roles('admin')
  @ApiEndpoint({
    summary: 'Delete an environment value',
    status: 204,
    errors: { 404: 'No such value' },
  })
  async deleteValue(
    @Param('name', new ZodPipe(EnvironmentNameSchema)) name: string,
    @CurrentPrincipal() me: Principal,
  ) {
    await this.environment.deleteValue(name, me);
  }

  @Get('secrets')
  @Roles('admin')
  @ApiEndpoint({
    summary: 'List secrets: names, when and by whom they were set — never their values',
    response: EnvironmentSecretListSchema,
  })
  listSecrets() {
    return this.environment.listSecrets();
  }

  @Put('secrets/:name')
  @Roles('admin')
  @ApiEndpoint({
    summary: 'Set a secret (write-only; HTTP headers read it as {{ secret.NAME }})',
    body: PutEnvironmentSecretSchema,
    response: EnvironmentSecretSchema,
    errors: { 409: 'SWITCHBOARD_SECRETS_KEY is not set' },
  })
  putSecret(
    @Param('name', new ZodPipe(EnvironmentNameSchema)) name: string,
    @Body(new ZodPipe(PutEnvironmentSecretSchema))
    body: z.output<typeof PutEnvironmentSecretSchema>,
    @CurrentPrincipal() me: Principal,
  ) {
    return this.environment.putSecret(name, body.value, me);
  }

  @Delete('secrets/:name')
  @Roles('admin')
  @ApiEndpoint({ summary: 'Delete a secret', status: 204, errors: { 404: 'No such secret' } })
  async deleteSecret(
    @Param('name', new ZodPipe(EnvironmentNameSchema)) name: string,
    @CurrentPrincipal() me: Principal,
  ) {
    await this.environment.deleteSecret(name, me);
  }
}
