import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FlowDocument } from '@switchboard/flow';
import type { Response } from 'express';
import type { z } from 'zod';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import type { PageQuery } from '../common/pagination.js';
import { ZodPipe } from '../common/zod.pipe.js';
import {
  CreateFlowSchema,
  ExportQuerySchema,
  FlowDetailSchema,
  FlowDocumentSchema,
  FlowIdSchema,
  FlowListQuerySchema,
  FlowPageSchema,
  ImportedFlowSchema,
  IssuesSchema,
  PublishSchema,
  RollbackResultSchema,
  RollbackSchema,
  SavedDraftSchema,
  VersionListQuerySchema,
  VersionPageSchema,
  VersionParamSchema,
  VersionSchema,
  VersionSummarySchema,
  ValidateFlowSchema,
} from './flows.schemas.js';
import { FlowsService } from './flows.service.js';

const id = () => Param('id', new ZodPipe(FlowIdSchema));
const TOO_LARGE = 'Document over SWITCHBOARD_MAX_DOCUMENT_NODES / _BYTES';

@ApiTags('flows')
@Controller('api/flows')
export class FlowsController {
  constructor(private readonly flows: FlowsService) {}

  @Post()
  @Roles('editor')
  @ApiEndpoint({
    summary: 'Create a flow',
    body: CreateFlowSchema,
    response: FlowDetailSchema,
    status: 201,
    errors: { 413: TOO_LARGE },
  })
  create(
    @Body(new ZodPipe(CreateFlowSchema)) body: z.output<typeof CreateFlowSchema>,
    @CurrentPrincipal() me: Principal,
  ) {
    return this.flows.create(body, me);
  }

  @Get()
  @Roles('viewer')
  @ApiEndpoint({
    summary: 'List flows, newest first',
    query: FlowListQuerySchema,
    response: FlowPageSchema,
  })
  list(@Query(new ZodPipe(FlowListQuerySchema)) query: z.output<typeof FlowListQuerySchema>) {
    return this.flows.list(query);
  }

  @Post('import')
  @Roles('editor')
  @ApiEndpoint({
    summary: 'Import a flow document as a new flow',
    description:
      'Node and edge ids are kept. The document must match the schema; validator issues are returned, not refused.',
    body: FlowDocumentSchema,
    response: ImportedFlowSchema,
    status: 201,
    errors: { 413: TOO_LARGE },
  })
  import(
    @Body(new ZodPipe(FlowDocumentSchema)) doc: FlowDocument,
    @CurrentPrincipal() me: Principal,
  ) {
    return this.flows.import(doc, me);
  }

  @Get(':id')
  @Roles('viewer')
  @ApiEndpoint({
    summary: 'A flow: draft, revision and versions',
    response: FlowDetailSchema,
    errors: { 404: 'No such flow' },
  })
  async get(@id() flowId: string, @Res({ passthrough: true }) res: Response) {
    const flow = await this.flows.get(flowId);
    res.setHeader('ETag', `"${flow.revision}"`);
    return flow;
  }

  @Put(':id/draft')
  @Roles('editor')
  @ApiHeader({ name: 'If-Match', required: true, description: 'The draft revision you edited' })
  @ApiEndpoint({
    summary: 'Save the draft',
    description:
      'Refused with 409 (carrying currentRevision, updatedBy, updatedAt) if the draft moved since If-Match.',
    body: FlowDocumentSchema,
    response: SavedDraftSchema,
    errors: {
      404: 'No such flow',
      409: 'The draft moved, or the flow is archived',
      413: TOO_LARGE,
      428: 'If-Match missing',
    },
  })
  async saveDraft(
    @id() flowId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body(new ZodPipe(FlowDocumentSchema)) doc: FlowDocument,
    @CurrentPrincipal() me: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const saved = await this.flows.saveDraft(flowId, ifMatch, doc, me);
    res.setHeader('ETag', `"${saved.revision}"`);
    return saved;
  }

  @Post(':id/validate')
  @Roles('viewer')
  @ApiEndpoint({
    summary: 'Validate the saved draft (or a document sent in the body)',
    body: ValidateFlowSchema,
    response: IssuesSchema,
    errors: { 404: 'No such flow' },
  })
  validate(
    @id() flowId: string,
    @Body(new ZodPipe(ValidateFlowSchema)) body: z.output<typeof ValidateFlowSchema>,
  ) {
    return this.flows.validate(flowId, body.document);
  }

  @Post(':id/publish')
  @Roles('publisher')
  @ApiEndpoint({
    summary: 'Publish the saved draft as the next version',
    description:
      'Validated on the server: 422 (invalid-flow) with the validator issues if any is an error. ' +
      'When the draft has scenariosMustPass, its scenarios are run first: 422 (scenarios-failing) ' +
      'while any fails, with `failures: [{ name, failures }]` naming each failing scenario.',
    body: PublishSchema,
    response: VersionSummarySchema,
    status: 201,
    errors: {
      404: 'No such flow',
      409: 'Archived, or the draft moved since `revision`',
      422: 'The draft has errors (invalid-flow), or a scenario fails while scenariosMustPass is on (scenarios-failing)',
    },
  })
  publish(
    @id() flowId: string,
    @Body(new ZodPipe(PublishSchema)) body: z.output<typeof PublishSchema>,
    @CurrentPrincipal() me: Principal,
  ) {
    return this.flows.publish(flowId, body, me);
  }

  @Get(':id/versions')
  @Roles('viewer')
  @ApiEndpoint({
    summary: 'Published versions, newest first',
    query: VersionListQuerySchema,
    response: VersionPageSchema,
    errors: { 404: 'No such flow' },
  })
  versions(@id() flowId: string, @Query(new ZodPipe(VersionListQuerySchema)) query: PageQuery) {
    return this.flows.listVersions(flowId, query);
  }

  @Get(':id/versions/:version')
  @Roles('viewer')
  @ApiEndpoint({
    summary: 'One published version (immutable)',
    response: VersionSchema,
    errors: { 404: 'No such version' },
  })
  version(
    @id() flowId: string,
    @Param('version', new ZodPipe(VersionParamSchema)) version: number,
  ) {
    return this.flows.getVersion(flowId, version);
  }

  @Post(':id/rollback')
  @Roles('publisher')
  @ApiEndpoint({
    summary: 'Publish a copy of an earlier version as a new version, and replace the draft with it',
    body: RollbackSchema,
    response: RollbackResultSchema,
    status: 201,
    errors: { 404: 'No such flow or version', 409: 'Archived, or the draft moved since revision' },
  })
  rollback(
    @id() flowId: string,
    @Body(new ZodPipe(RollbackSchema)) body: z.output<typeof RollbackSchema>,
    @CurrentPrincipal() me: Principal,
  ) {
    return this.flows.rollback(flowId, body, me);
  }

  @Get(':id/export')
  @Roles('viewer')
  @ApiEndpoint({
    summary: 'Download the draft (or ?version=n) as a JSON file',
    query: ExportQuerySchema,
    response: FlowDocumentSchema,
    errors: { 404: 'No such flow or version' },
  })
  async export(
    @id() flowId: string,
    @Query(new ZodPipe(ExportQuerySchema)) query: z.output<typeof ExportQuerySchema>,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { filename, document } = await this.flows.export(flowId, query.version);
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    return document;
  }

  @Delete(':id')
  @Roles('admin')
  @ApiEndpoint({
    summary: 'Archive a flow',
    status: 204,
    errors: { 404: 'No such flow', 409: 'An entry point uses it' },
  })
  async archive(@id() flowId: string, @CurrentPrincipal() me: Principal) {
    await this.flows.archive(flowId, me);
  }
}
