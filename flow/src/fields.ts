import * as z from 'zod';
import { E164, parseTarget, undialableNumber } from './targets.js';

/** How the designer renders a field; enums, booleans and numbers need none. */
export type Widget =
  | 'text'
  | 'template'
  | 'target'
  | 'phoneNumber'
  | 'choices'
  | 'weeklyHours'
  | 'holidays'
  | 'rules'
  | 'assignments'
  | 'nodeRef'
  /**
   * An object `{ flowId, version, flowName, returns }`: a published flow, a pinned version (null:
   * the latest published) and the outcomes of that version's Return nodes, which the designer
   * reads from the version (returnOutcomesOf) when the analyst picks it.
   */
  | 'flowRef'
  | 'variableName'
  /** An IANA time zone, picked by zone or city name. */
  | 'timeZone'
  /** A 24-hour time of day, HH:MM. */
  | 'time'
  /** A calendar date, YYYY-MM-DD. */
  | 'date'
  /** An Azure neural voice name (see voices.ts), picked by language. */
  | 'voice';

/** Human metadata every config field carries (zod 4 `.meta()`); the designer builds forms from it. */
export interface FieldMeta {
  title: string;
  description: string;
  widget?: Widget;
  placeholder?: string;
  /** For nodeRef fields: the node type the reference must point at. */
  nodeType?: string;
  /**
   * Rarely needed (protocol headers, custom context): forms put it under "Advanced", opened
   * by the analyst or when it holds a value.
   */
  advanced?: boolean;
  /**
   * When the field is needed, in plain words ("Needed when calling a phone number"): forms show
   * it next to the label from the start and mark the field required while the config's own
   * checks ask for it.
   */
  requirement?: string;
  /**
   * The value must be one of the workspace's own numbers (a caller ID: ACS shows only numbers
   * the resource owns); forms offer the numbers bound on the Entry points page.
   */
  ownNumber?: boolean;
  [k: string]: unknown;
}

/** The metadata attached to a config field, if any. */
export function fieldMeta(schema: z.ZodType): FieldMeta | undefined {
  const m = z.globalRegistry.get(schema);
  if (!m || typeof m.title !== 'string') return undefined;
  return m as FieldMeta;
}

export const PHONE_NUMBER_MESSAGE =
  'Enter a phone number in international format, e.g. +14255550100';
export const TARGET_MESSAGE =
  'Enter a phone number (e.g. +14255550100) or the id of a Communication Services app user';
export const VARIABLE_NAME_MESSAGE =
  'Use letters, digits and underscores, starting with a letter, e.g. accountNumber';

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A phone number as written in a config must be one a phone could dial: said in plain words. */
function dialable(s: string, ctx: z.RefinementCtx): void {
  const target = parseTarget(s);
  const why = target?.kind === 'phoneNumber' ? undialableNumber(target.phoneNumber) : undefined;
  if (why) ctx.addIssue({ code: 'custom', message: why });
}

/** A required E.164 phone number. */
export const phoneNumberField = z
  .string()
  .regex(E164, { error: PHONE_NUMBER_MESSAGE })
  .superRefine(dialable);

/** An E.164 phone number or '' (not set); forms keep empty text boxes as ''. */
export const optionalPhoneNumberField = z
  .string()
  .refine((s) => s === '' || E164.test(s), { error: PHONE_NUMBER_MESSAGE })
  .superRefine(dialable);

/** A phone number, an ACS user or a Teams user, as one string. */
export const targetField = z
  .string()
  .refine((s) => parseTarget(s) !== null, { error: TARGET_MESSAGE })
  .superRefine(dialable);

/** A target or '' (meaning "the caller" where the node says so). */
export const optionalTargetField = z
  .string()
  .refine((s) => s === '' || parseTarget(s) !== null, { error: TARGET_MESSAGE })
  .superRefine(dialable);

/** Liquid template text; the validator checks that it parses. */
export const templateField = z
  .string()
  .max(4000, { error: 'Keep this text under 4,000 characters' });

export const variableNameField = z.string().regex(VARIABLE_NAME, { error: VARIABLE_NAME_MESSAGE });

/** Whole seconds within a range, with a message an analyst can act on. */
export function secondsField(min: number, max: number): z.ZodNumber {
  return z
    .number({ error: 'Enter a number of seconds' })
    .int({ error: 'Use whole seconds' })
    .min(min, { error: `Use at least ${min} second${min === 1 ? '' : 's'}` })
    .max(max, { error: `Use at most ${max} seconds` });
}

/** How many times a node asks the caller again before giving up. */
export const retriesField = z
  .number({ error: 'Enter a number of retries' })
  .int({ error: 'Use 0 to 5 retries' })
  .min(0, { error: 'Use 0 to 5 retries' })
  .max(5, { error: 'Use 0 to 5 retries' });

/** Custom headers passed to the called party (ACS customCallingContext); values are templates. */
export const headersField = z
  .array(
    z.strictObject({
      name: z
        .string()
        .regex(/^[A-Za-z0-9-]{1,64}$/, { error: 'Header names use letters, digits and dashes' })
        .meta({ title: 'Header', description: 'Header name' }),
      value: templateField.meta({
        title: 'Value',
        description: 'Header value; may use {{ call.from }} and other variables',
        widget: 'template',
      }),
    }),
  )
  .max(20, { error: 'Use at most 20 headers' });
