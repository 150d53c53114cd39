/**
 * The designer's window on the node catalogue of `@switchboard/flow`. Nothing here describes a
 * node type: labels, icons, outcomes, fields and summaries all come from the catalogue.
 */
import {
  categories,
  DEFAULT_TYPE_VERSION,
  defaultConfig as flowDefaultConfig,
  getNodeType,
  latestVersion,
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

/*
 * Functions taking a node's type take its type version too, with the document's meaning: a node
 * that records none is version 1 (it was stored before versions). New nodes record the latest.
 */

export function nodeType(
  type: string,
  typeVersion: number = DEFAULT_TYPE_VERSION,
): NodeTypeDescription | undefined {
  return getNodeType(type, typeVersion);
}

/** The version a node added now gets. */
export function latestTypeVersion(type: string): number | undefined {
  return latestVersion(type);
}

/** The latest version of a type, when it is newer than the node's. */
export function newerNodeType(
  type: string,
  typeVersion: number = DEFAULT_TYPE_VERSION,
): NodeTypeDescription | undefined {
  const latest = getNodeType(type);
  return latest && latest.version > typeVersion ? latest : undefined;
}

export function iconFor(description: NodeTypeDescription | undefined): FluentIcon {
  return (description && nodeIcons[description.icon]) || fallbackIcon;
}

/** A node type's icon from the catalogue's Fluent icon name (the latest version's). */
export function NodeIcon({ type, className }: { type: string; className?: string }) {
  return createElement(iconFor(getNodeType(type)), { className, 'aria-hidden': true });
}

/** The palette: the latest version of every node type, grouped by category in the catalogue's order. */
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
export function outcomesFor(
  type: string,
  config: Record<string, unknown>,
  typeVersion?: number,
): OutcomeDescription[] {
  const description = nodeType(type, typeVersion);
  if (!description || description.terminal) return [];
  try {
    return outcomesOf(description, withDefaults(description, config));
  } catch {
    return typeof description.outcomes === 'function' ? [] : [...description.outcomes];
  }
}

export function summaryFor(
  type: string,
  config: Record<string, unknown>,
  typeVersion?: number,
): string {
  const description = nodeType(type, typeVersion);
  if (!description) {
    return getNodeType(type)
      ? `Version ${typeVersion} of "${type}" is unknown`
      : `Unknown node type "${type}"`;
  }
  try {
    return description.summary(withDefaults(description, config));
  } catch {
    return '';
  }
}

export function isTrigger(type: string, typeVersion?: number): boolean {
  return Boolean(nodeType(type, typeVersion)?.trigger);
}

export function isTerminal(type: string, typeVersion?: number): boolean {
  return Boolean(nodeType(type, typeVersion)?.terminal);
}

/** A version's default config (latest when none is given; a fresh copy the caller may edit). */
export function defaultConfig(type: string, typeVersion?: number): Record<string, unknown> {
  return flowDefaultConfig(type, typeVersion) ?? {};
}
