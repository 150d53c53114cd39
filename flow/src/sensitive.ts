import { nodeTypeOf, withDefaults } from './catalogue/index.js';
import type { FlowDocument } from './document.js';

/** What a flow collects that people must not read back: by node, and by variable. */
export interface SensitiveParts {
  nodeIds: ReadonlySet<string>;
  variables: ReadonlySet<string>;
}

/** The nodes whose node type says their input is sensitive (as configured), and what they write. */
export function sensitiveParts(doc: FlowDocument): SensitiveParts {
  const nodeIds = new Set<string>();
  const variables = new Set<string>();
  for (const node of doc.nodes) {
    const desc = nodeTypeOf(node);
    if (!desc?.sensitive) continue;
    const config = withDefaults(desc, node.config);
    try {
      if (!desc.sensitive(config)) continue;
      nodeIds.add(node.id);
      for (const v of desc.writesVariables?.(config) ?? []) variables.add(v);
    } catch {
      // A config its hooks cannot read collects nothing.
    }
  }
  return { nodeIds, variables };
}

/** How masked input reads. */
export const MASKED = '••••';
