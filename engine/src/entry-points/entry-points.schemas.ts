import { parseTarget } from '@switchboard/flow';
import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../common/pagination.js';

const ADDRESS_MESSAGE =
  'must be a phone number in E.164 form (e.g. +14255550100) or an ACS user id (8:acs:...)';

/** An entry point address, normalised: E.164 for phone numbers, the raw id for ACS users. */
export const AddressSchema = z
  .string()
  .max(300)
  .transform((s, ctx) => {
    const target = parseTarget(s.trim());
    if (target?.kind === 'phoneNumber') return target.phoneNumber;
    if (target?.kind === 'communicationUser') return target.id;
    ctx.addIssue({ code: 'custom', message: ADDRESS_MESSAGE });
    return z.NEVER;
  })
  .describe('E.164 phone number or ACS user raw id');

export const BindSchema = z.strictObject({
  flowId: z.string().min(1).max(100),
  version: z
    .number()
    .int()
    .positive()
    .max(2_147_483_647, 'is too large')
    .nullable()
    .optional()
    .describe('Pin this published version; omit or null to follow the latest'),
});

export const EntryPointSchema = z.object({
  address: z.string(),
  flowId: z.string(),
  flowName: z.string(),
  version: z.number().int().nullable().describe('The pinned version, or null for the latest'),
  effectiveVersion: z
    .number()
    .int()
    .nullable()
    .describe('The version a call arriving now would run'),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
});

export const EntryPointPageSchema = pageSchema(EntryPointSchema);
export const EntryPointListQuerySchema = PageQuerySchema.extend({
  flowId: z.string().min(1).max(100).optional().describe('Only entry points of this flow'),
});
export type EntryPointDto = z.output<typeof EntryPointSchema>;
