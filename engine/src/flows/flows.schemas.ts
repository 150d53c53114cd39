import { FlowDocumentSchema } from '@switchboard/flow';
import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../common/pagination.js';

export { FlowDocumentSchema };

export const FlowIdSchema = z.string().min(1).max(100);

const booleanQuery = z
  .enum(['true', 'false'], { error: 'expected true or false' })
  .transform((v) => v === 'true');

export const FlowListQuerySchema = PageQuerySchema.extend({
  includeArchived: booleanQuery.default(false).describe('Also list archived flows'),
});

export const CreateFlowSchema = z.strictObject({
  name: z.string().trim().min(1, 'Give the flow a name').max(200),
  description: z.string().max(2000).optional(),
  document: FlowDocumentSchema.optional().describe(
    'Initial draft; default: an incoming-call trigger. Its name and description are replaced by the ones above.',
  ),
});

export const ValidateFlowSchema = z.preprocess(
  (v) => v ?? {},
  z.strictObject({
    document: FlowDocumentSchema.optional().describe(
      'A document to check instead of the saved draft',
    ),
  }),
);

export const PublishSchema = z.preprocess(
  (v) => v ?? {},
  z.strictObject({
    comment: z.string().max(2000).default(''),
    revision: z
      .number()
      .int()
      .positive()
      .max(2_147_483_647, 'is too large')
      .optional()
      .describe(
        'The draft revision you reviewed; publishing is refused (409) if the draft moved since',
      ),
  }),
);

export const RollbackSchema = z.strictObject({
  version: z.number().int().positive().max(2_147_483_647).describe('The version to publish again'),
  comment: z.string().max(2000).optional(),
  revision: z
    .number()
    .int()
    .positive()
    .max(2_147_483_647)
    .optional()
    .describe('The draft revision you are replacing: 409 if the draft moved since'),
});

export const VersionParamSchema = z.coerce
  .number({ error: 'must be a version number' })
  .int('must be a version number')
  .positive('must be a version number')
  .max(2_147_483_647, 'is too large');

export const ExportQuerySchema = z.strictObject({
  version: VersionParamSchema.optional().describe(
    'Export this published version instead of the draft',
  ),
});

export const ValidationIssueSchema = z.object({
  severity: z.enum(['error', 'warning']),
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});

export const VersionSummarySchema = z.object({
  flowId: z.string(),
  version: z.number().int(),
  checksum: z.string().describe('sha256 of the canonical JSON of the document'),
  publishedBy: z.string(),
  publishedAt: z.iso.datetime(),
  comment: z.string(),
  copiedFrom: z.number().int().nullable().describe('Set for rollbacks: the version copied'),
});

export const VersionSchema = VersionSummarySchema.extend({ document: FlowDocumentSchema });

export const RollbackResultSchema = VersionSummarySchema.extend({
  draftRevision: z
    .number()
    .int()
    .describe('The draft now holds the rolled-back content, at this revision'),
});

export const FlowSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  revision: z.number().int().describe('Draft revision; send it as If-Match when saving'),
  latestVersion: z.number().int().nullable(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
  archivedAt: z.iso.datetime().nullable(),
});

export const FlowDetailSchema = FlowSummarySchema.extend({
  draft: FlowDocumentSchema,
  versions: z.array(VersionSummarySchema).describe('Newest first (at most 100)'),
});

export const SavedDraftSchema = z.object({
  id: z.string(),
  revision: z.number().int(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
});

export const IssuesSchema = z.object({ issues: z.array(ValidationIssueSchema) });
export const ImportedFlowSchema = z.object({
  flow: FlowDetailSchema,
  issues: z.array(ValidationIssueSchema),
});
export const FlowPageSchema = pageSchema(FlowSummarySchema);
export const VersionPageSchema = pageSchema(VersionSummarySchema);
export const VersionListQuerySchema = PageQuerySchema;

export type FlowSummary = z.output<typeof FlowSummarySchema>;
export type FlowDetail = z.output<typeof FlowDetailSchema>;
export type VersionSummary = z.output<typeof VersionSummarySchema>;
export type Version = z.output<typeof VersionSchema>;
