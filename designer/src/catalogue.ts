/**
 * The designer's window on the node catalogue of `@switchboard/flow`. Nothing here describes a
 * node type: labels, icons, outcomes, fields and summaries all come from the catalogue.
 */
import {
  categories,
  defaultConfig as flowDefaultConfig,
  getNodeType,
  listNodeTypes,
  outcomesOf,
  withDefaults,
  type NodeTypeDescription,
  type OutcomeDescription,
} from '@switchboard/flow';
import { fallbackIcon, nodeIcons } from 'virtual:node-icons';
import type { FluentIcon } from '@fluentui/react-icons';
import { createElement } from 'react';

export type { NodeTypeDescription, OutcomeDescription };

export function nodeType(type: string): NodeTypeDescription | undefined {
  return getNodeType(type);
}

export function iconFor(description: NodeTypeDescription | undefined): FluentIcon {
  return (description && nodeIcons[description.icon]) || fallbackIcon;
}

/** A node type's icon from the catalogue's Fluent icon name. */
export function NodeIcon({ type, className }: { type: string; className?: string }) {
  return createElement(iconFor(getNodeType(type)), { className, 'aria-hidden': true });
}

/** The palette: every node type, grouped by category in the catalogue's order. */
export function paletteGroups(): { category: string; types: NodeTypeDescription[] }[] {
  const all = listNodeTypes();
  const groups = categories.map((category) => ({
    category: category as string,
    types: all.filter((t) => t.category === category),
  }));
  const rest = all.filter((t) => !(categories as readonly string[]).includes(t.category));
  if (rest.length > 0) groups.push({ category: 'Other', types: rest });
  return groups.filter((g) => g.types.length > 0);
}

/** A node's outcomes for its current config; a half-edited config must never break the canvas. */
export function outcomesFor(type: string, config: Record<string, unknown>): OutcomeDescription[] {
  const description = getNodeType(type);
  if (!description || description.terminal) return [];
  try {
    return outcomesOf(description, withDefaults(description, config));
  } catch {
    return typeof description.outcomes === 'function' ? [] : [...description.outcomes];
  }
}

export function summaryFor(type: string, config: Record<string, unknown>): string {
  const description = getNodeType(type);
  if (!description) return `Unknown node type "${type}"`;
  try {
    return description.summary(withDefaults(description, config));
  } catch {
    return '';
  }
}

export function isTrigger(type: string): boolean {
  return Boolean(getNodeType(type)?.trigger);
}

export function isTerminal(type: string): boolean {
  return Boolean(getNodeType(type)?.terminal);
}

/** The type's default config (from the catalogue; a fresh copy the caller may edit). */
export function defaultConfig(type: string): Record<string, unknown> {
  return flowDefaultConfig(type) ?? {};
}
