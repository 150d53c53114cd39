import { Body, Controller, Delete, Get, Param, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import {
  AddressSchema,
  BindSchema,
  EntryPointListQuerySchema,
  EntryPointPageSchema,
  EntryPointSchema,
} from './entry-points.schemas.js';
import { EntryPointsService } from './entry-points.service.js';

const address = () => Param('address', new ZodPipe(AddressSchema));

@ApiTags('entry points')
@Controller('api/entry-points')
export class EntryPointsController {
  constructor(private readonly entryPoints: EntryPointsService) {}

  @Get()
  @Roles('viewer')
  @ApiEndpoint({
    summary: 'List entry points',
    query: EntryPointListQuerySchema,
    response: EntryPointPageSchema,
  })
  list(
    @Query(new ZodPipe(EntryPointListQuerySchema))
    query: z.output<typeof EntryPointListQuerySchema>,
  ) {
    return this.entryPoints.list(query);
  }

  @Get(':address')
  @Roles('viewer')
  @ApiEndpoint({
    summary: 'One entry point',
    response: EntryPointSchema,
    errors: { 404: 'Not bound' },
  })
  get(@address() addr: string) {
    return this.entryPoints.get(addr);
  }

  @Put(':address')
  @Roles('publisher')
  @ApiEndpoint({
    summary: 'Bind a phone number or ACS user to a flow',
    body: BindSchema,
    response: EntryPointSchema,
    errors: { 409: 'Flow archived or never published', 422: 'Unknown flow or version' },
  })
  bind(
    @address() addr: string,
    @Body(new ZodPipe(BindSchema)) body: z.output<typeof BindSchema>,
    @CurrentPrincipal() me: Principal,
  ) {
    return this.entryPoints.bind(addr, body, me);
  }

  @Delete(':address')
  @Roles('publisher')
  @ApiEndpoint({ summary: 'Unbind an entry point', status: 204, errors: { 404: 'Not bound' } })
  async unbind(@address() addr: string, @CurrentPrincipal() me: Principal) {
    await this.entryPoints.unbind(addr, me);
  }
}
