import { CALL_TEMPLATE_FIELDS, type EnvironmentNames } from '@switchboard/flow';
import { nodeType } from '../catalogue.js';
import type { DesignerNode } from './store.js';

const CALL_VARIABLES = CALL_TEMPLATE_FIELDS.map((field) => `call.${field}`);

/**
 * Variables offered by the template fields: the call's own, then every variable some node of the
 * flow writes (from the catalogue's `writesVariables`), sorted, then the environment's values.
 */
export function templateVariables(nodes: DesignerNode[], environment?: EnvironmentNames): string[] {
  const written = new Set<string>();
  for (const node of nodes) {
    const description = nodeType(node.data.type, node.data.typeVersion);
    if (!description?.writesVariables) continue;
    try {
      for (const name of description.writesVariables(node.data.config)) if (name) written.add(name);
    } catch {
      // half-edited config
    }
  }
  return [
    ...CALL_VARIABLES,
    ...[...written].sort().map((name) => `vars.${name}`),
    ...(environment?.values ?? []).map((name) => `env.${name}`),
  ];
}

/** What fields allowing secrets (HTTP headers) offer besides the variables. */
export function secretVariables(environment?: EnvironmentNames): string[] {
  return (environment?.secrets ?? []).map((name) => `secret.${name}`);
}
