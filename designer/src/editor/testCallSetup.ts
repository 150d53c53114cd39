/**
 * Defaults and suggestions of the test panel, read from the flow document and the catalogue's
 * field metadata — never from node type ids.
 */
import { formatTarget, parseTarget, type FlowDocument } from '@switchboard/flow';
import * as z from 'zod';
import { nodeType } from '../catalogue.js';
import { browserTimeZone, isTimeZone } from '../calls/zonedTime.js';
import { describeField } from '../forms/schema.js';

export const DEFAULT_CALLER = '+15551230000';

type DocNode = FlowDocument['nodes'][number];

const isTimeZoneKey = (key: string) => key.replace(/[^a-z]/gi, '').toLowerCase() === 'timezone';
const saysTimeZone = (text: unknown) =>
  typeof text === 'string' && /\btime[\s-]?zone\b/i.test(text);

/** Config keys of a node type whose field is a time zone: by name, widget or title. */
function timeZoneKeys(type: string): string[] {
  const description = nodeType(type);
  const schema = description?.configSchema as z.ZodType | undefined;
  if (!schema) return [];
  const info = describeField(schema);
  if (!info.shape) return [];
  return Object.entries(info.shape)
    .filter(([key, field]) => {
      if (isTimeZoneKey(key)) return true;
      const meta = describeField(field);
      return saysTimeZone(meta.widget) || saysTimeZone(meta.meta.title);
    })
    .map(([key]) => key);
}

function configWithDefaults(node: DocNode): Record<string, unknown> {
  const schema = nodeType(node.type)?.configSchema as z.ZodType | undefined;
  const parsed = schema?.safeParse(node.config);
  return parsed?.success ? (parsed.data as Record<string, unknown>) : node.config;
}

/**
 * The zone a test call's clock is picked in: that of the first node with a time-zone field (a
 * business-hours check), else the browser's.
 */
export function defaultTimeZone(document: Pick<FlowDocument, 'nodes'>): string {
  for (const node of document.nodes) {
    const keys = new Set([
      ...timeZoneKeys(node.type),
      ...Object.keys(node.config).filter(isTimeZoneKey),
    ]);
    if (keys.size === 0) continue;
    const config = configWithDefaults(node);
    for (const key of keys) {
      const value = config[key] ?? node.config[key];
      if (typeof value === 'string' && isTimeZone(value)) return value;
    }
  }
  return browserTimeZone();
}

export interface TargetSuggestion {
  target: string;
  /** "+1 425 555 0100 · Transfer to sales" */
  label: string;
}

/**
 * Who a test call may ring: every config value that reads as a call target (a phone number or an
 * ACS/Teams id), with the node that names it.
 */
export function suggestTargets(document: Pick<FlowDocument, 'nodes'>): TargetSuggestion[] {
  const found = new Map<string, TargetSuggestion>();
  const visit = (value: unknown, node: DocNode) => {
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if (!found.has(trimmed) && parseTarget(trimmed)) {
        const where = node.label || nodeType(node.type)?.label || node.id;
        found.set(trimmed, { target: trimmed, label: `${formatTarget(trimmed)} · ${where}` });
      }
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, node);
    } else if (value && typeof value === 'object') {
      for (const item of Object.values(value)) visit(item, node);
    }
  };
  for (const node of document.nodes) visit(node.config, node);
  return [...found.values()];
}
