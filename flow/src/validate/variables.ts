import type * as z from 'zod';
import { secretReferences, type EnvironmentNames } from '../environment.js';
import { analyseTemplate } from '../templates.js';
import { fieldAt } from './field-messages.js';
import type { ValidationIssue } from './issue.js';
import { nodeName, type FlowIndex } from './validate-flow.js';

/** What templates may read; anything else renders empty. */
const TEMPLATE_ROOTS = new Set(['call', 'vars', 'results', 'env', 'secret']);

interface VariableRead {
  nodeId: string;
  path: (string | number)[];
  name: string;
  /** Where the field's title is found, looked up only if a warning is due. */
  schema: z.ZodType;
  field: (string | number)[];
}

function titleOf(schema: z.ZodType, field: (string | number)[], fallback: string): string {
  return fieldAt(schema, field).title ?? fallback;
}

/**
 * Templates must parse; names they read must exist: variables some node sets, results of
 * nodes in the flow. Node references in configs must point at a node of the right type.
 */
export function checkTemplatesAndVariables(
  index: FlowIndex,
  issues: ValidationIssue[],
  environment?: EnvironmentNames,
): void {
  const values = environment && new Set(environment.values);
  const secrets = environment && new Set(environment.secrets);
  const written = new Set<string>();
  const reads: VariableRead[] = [];

  for (const info of index.nodes) {
    const { desc, config } = info;
    if (!desc || !config) continue;
    const base = ['nodes', info.index, 'config'];
    for (const name of desc.writesVariables?.(config) ?? []) written.add(name);

    for (const ref of desc.references?.(config) ?? []) {
      const target = index.byId.get(ref.nodeId);
      const title =
        target && (!ref.nodeType || target.node.type === ref.nodeType)
          ? ''
          : titleOf(desc.configSchema, ref.path, 'Node');
      if (!target) {
        issues.push({
          severity: 'error',
          nodeId: info.node.id,
          path: [...base, ...ref.path],
          message: `${title}: there is no node “${ref.nodeId}” in this flow`,
        });
      } else if (ref.nodeType && target.node.type !== ref.nodeType) {
        const want = target.desc ? `a “${desc.label}”-compatible node` : 'another node';
        issues.push({
          severity: 'error',
          nodeId: info.node.id,
          path: [...base, ...ref.path],
          message: `${title}: ${nodeName(target)} is not the right kind of node (${want} is needed)`,
        });
      }
    }

    for (const t of desc.templates?.(config) ?? []) {
      const analysis = analyseTemplate(t.text);
      if (analysis.ok && analysis.reads.length === 0) continue;
      if (!analysis.ok) {
        issues.push({
          severity: 'error',
          nodeId: info.node.id,
          path: [...base, ...t.path],
          message: `${titleOf(desc.configSchema, t.path, 'Text')}: the text has a template error (${analysis.message})`,
        });
        continue;
      }
      const title = () => titleOf(desc.configSchema, t.path, 'Text');
      const at = { severity: 'error' as const, nodeId: info.node.id, path: [...base, ...t.path] };
      const secretReads = analysis.reads.filter((p) => p[0] === 'secret');
      if (secretReads.length > 0 && !t.secrets) {
        issues.push({
          ...at,
          message: `${title()}: secrets cannot be used here (they would be said, shown or stored); use them in an HTTP request's headers`,
        });
      } else if (secretReads.length > secretReferences(t.text).length) {
        issues.push({
          ...at,
          message: `${title()}: write a secret on its own, as {{ secret.NAME }} (no filters)`,
        });
      }
      for (const p of analysis.reads) {
        const [root, key] = p;
        if (typeof root !== 'string') continue;
        if (root === 'env' || root === 'secret') {
          const known = root === 'env' ? values : secrets;
          if (typeof key !== 'string') {
            issues.push({
              ...at,
              message: `${title()}: name the ${root === 'env' ? 'environment value' : 'secret'}, e.g. {{ ${root}.NAME }}`,
            });
          } else if (known && !known.has(key)) {
            issues.push({
              ...at,
              message: `${title()}: there is no ${root === 'env' ? 'environment value' : 'secret'} “${key}” in this environment; an admin defines it under Environment`,
            });
          }
        } else if (!TEMPLATE_ROOTS.has(root)) {
          issues.push({
            severity: 'warning',
            nodeId: info.node.id,
            path: [...base, ...t.path],
            message: `${titleOf(desc.configSchema, t.path, 'Text')}: “${root}” is always empty; use call.from, vars.<name> or results.<node id>`,
          });
        } else if (root === 'vars' && typeof key === 'string') {
          reads.push({
            nodeId: info.node.id,
            path: [...base, ...t.path],
            name: key,
            schema: desc.configSchema,
            field: t.path,
          });
        } else if (root === 'results' && typeof key === 'string' && !index.byId.has(key)) {
          issues.push({
            severity: 'warning',
            nodeId: info.node.id,
            path: [...base, ...t.path],
            message: `${titleOf(desc.configSchema, t.path, 'Text')}: there is no node “${key}” in this flow, so results.${key} is always empty`,
          });
        }
      }
    }
  }

  for (const r of reads) {
    if (written.has(r.name)) continue;
    issues.push({
      severity: 'warning',
      nodeId: r.nodeId,
      path: r.path,
      message: `${titleOf(r.schema, r.field, 'Text')}: the variable “${r.name}” is used but no node sets it, so it is always empty`,
    });
  }
}
