import { ENVIRONMENT_NAME, ENVIRONMENT_NAME_MESSAGE } from '@switchboard/flow';
import { z } from 'zod';

export const EnvironmentNameSchema = z
  .string()
  .regex(ENVIRONMENT_NAME, ENVIRONMENT_NAME_MESSAGE)
  .describe('e.g. CRM_URL');

export const EnvironmentValueSchema = z.object({
  name: z.string(),
  value: z.string(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
});
export const EnvironmentValueListSchema = z.object({ items: z.array(EnvironmentValueSchema) });
export const PutEnvironmentValueSchema = z.strictObject({
  value: z.string().max(4000, 'keep the value under 4,000 characters'),
});

export const EnvironmentSecretSchema = z.object({
  name: z.string(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
  keyId: z.string().describe('Which SWITCHBOARD_SECRETS_KEY sealed it (a sha256 prefix)'),
  readable: z.boolean().describe('False when it was sealed with another key: set it again'),
});
export const EnvironmentSecretListSchema = z.object({
  items: z.array(EnvironmentSecretSchema),
  keyConfigured: z.boolean().describe('SWITCHBOARD_SECRETS_KEY is set: secrets can be stored'),
});
export const PutEnvironmentSecretSchema = z.strictObject({
  value: z
    .string()
    .min(1, 'give the secret a value')
    .max(4000, 'keep the secret under 4,000 characters')
    .describe('Write-only: never returned'),
});

export const EnvironmentNamesSchema = z.object({
  values: z.array(z.string()),
  secrets: z.array(z.string()),
});
