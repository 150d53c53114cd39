import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import type { PageQuery } from '../common/pagination.js';
import { ZodPipe } from '../common/zod.pipe.js';
import {
  CreatedTokenSchema,
  CreateTokenSchema,
  TokenIdSchema,
  TokenListQuerySchema,
  TokenPageSchema,
} from './tokens.schemas.js';
import { TokensService } from './tokens.service.js';

@ApiTags('tokens')
@Controller('api/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Get()
  @Roles('admin')
  @ApiEndpoint({
    summary: 'List API tokens (never the secrets)',
    query: TokenListQuerySchema,
    response: TokenPageSchema,
  })
  list(@Query(new ZodPipe(TokenListQuerySchema)) query: PageQuery) {
    return this.tokens.list(query);
  }

  @Post()
  @Roles('admin')
  @ApiEndpoint({
    summary: 'Create an API token',
    description: 'The response carries the token once; use it as `Authorization: Bearer <token>`.',
    body: CreateTokenSchema,
    response: CreatedTokenSchema,
    status: 201,
  })
  create(
    @Body(new ZodPipe(CreateTokenSchema)) body: z.output<typeof CreateTokenSchema>,
    @CurrentPrincipal() me: Principal,
  ) {
    return this.tokens.create(body, me);
  }

  @Delete(':id')
  @Roles('admin')
  @ApiEndpoint({
    summary: 'Revoke an API token (effective immediately)',
    status: 204,
    errors: { 404: 'No such token' },
  })
  async revoke(
    @Param('id', new ZodPipe(TokenIdSchema)) id: string,
    @CurrentPrincipal() me: Principal,
  ) {
    await this.tokens.revoke(id, me);
  }
}
