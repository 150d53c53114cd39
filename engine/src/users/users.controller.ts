import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import type { PageQuery } from '../common/pagination.js';
import { ZodPipe } from '../common/zod.pipe.js';
import {
  CreatedUserSchema,
  CreateUserSchema,
  UserIdSchema,
  UserListQuerySchema,
  UserPageSchema,
} from './users.schemas.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Roles('admin')
  @ApiEndpoint({ summary: 'List users', query: UserListQuerySchema, response: UserPageSchema })
  list(@Query(new ZodPipe(UserListQuerySchema)) query: PageQuery) {
    return this.users.list(query);
  }

  @Post()
  @Roles('admin')
  @ApiEndpoint({
    summary: 'Create a user',
    description: 'Without a password, a random one is generated and returned once.',
    body: CreateUserSchema,
    response: CreatedUserSchema,
    status: 201,
    errors: { 409: 'Username taken' },
  })
  create(
    @Body(new ZodPipe(CreateUserSchema)) body: z.output<typeof CreateUserSchema>,
    @CurrentPrincipal() me: Principal,
  ) {
    return this.users.create(body, me);
  }

  @Delete(':id')
  @Roles('admin')
  @ApiEndpoint({
    summary: 'Delete a user (and end their sessions)',
    status: 204,
    errors: { 404: 'No such user', 409: 'Yourself or the last admin' },
  })
  async delete(
    @Param('id', new ZodPipe(UserIdSchema)) id: string,
    @CurrentPrincipal() me: Principal,
  ) {
    await this.users.delete(id, me);
  }
}
