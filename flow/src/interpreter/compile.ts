import { DEFAULT_TYPE_VERSION, nodeTypeOf, withDefaults } from '../catalogue/index.js';
import {
  outcomesOf,
  type NodeConfig,
  type NodeTypeDescription,
  type OutcomeDescription,
} from '../catalogue/types.js';
import type { FlowDocument } from '../document.js';
import { isTimeZone } from '../template-dates.js';
import { parseTemplate, readPaths, TemplateCache } from '../templates.js';

export interface CompiledNode {
  id: string;
  type: string;
  /** The type version the node runs with (the document's, 1 when it records none). */
  typeVersion: number;
  label?: string;
  desc: NodeTypeDescription;
  /** The config parsed by the node type's schema (defaults filled in). */
  config: NodeConfig;
  outcomes: ReadonlyMap<string, OutcomeDescription>;
  /** Outcome id → target node id. */
  next: ReadonlyMap<string, string>;
  /** Outcome id → target node, resolved once so a step does no lookup by id. */
  targets: Map<string, CompiledNode>;
  /** The outcome Timeout and ActionFailed take. */
  failureOutcome?: string;
  /**
   * Dates in this node's templates are shown in this zone: the node's own `timezone` setting
   * (business hours), else the flow's `timeZone`, else UTC — never the host's.
   */
  timeZone: string;
}

/** A flow indexed once for the interpreter; engines cache one per published version. */
export interface CompiledFlow {
  readonly compiled: true;
  readonly doc: FlowDocument;
  readonly nodes: ReadonlyMap<string, CompiledNode>;
  /** The first trigger node; validation guarantees there is exactly one. */
  readonly trigger?: CompiledNode;
  /** Nodes whose results something reads (templates or node references): only these are kept. */
  readonly keepResults: ReadonlySet<string>;
  readonly templates: TemplateCache;
  /** Node types (or type versions, as `type@version`) the flow names that the catalogue does not know. */
  readonly unknownTypes: readonly string[];
}

export function isCompiledFlow(f: FlowDocument | CompiledFlow): f is CompiledFlow {
  return (f as Partial<CompiledFlow>).compiled === true;
}

const compiledDocs = new WeakMap<FlowDocument, CompiledFlow>();

/** Compiles a document once per object, for callers that pass documents to start/step. */
export function toCompiledFlow(f: FlowDocument | CompiledFlow): CompiledFlow {
  if (isCompiledFlow(f)) return f;
  let c = compiledDocs.get(f);
  if (!c) {
    c = compileFlow(f);
    compiledDocs.set(f, c);
  }
  return c;
}

/**
 * Indexes nodes by id and edges by (source, outcome), parses configs and finds which node
 * results are read. Expects a document that passed validateFlow; anything it cannot make
 * sense of (unknown types, bad configs) is left for the interpreter to fail on gracefully.
 */
export function compileFlow(doc: FlowDocument): CompiledFlow {
  const nodes = new Map<string, CompiledNode>();
  const unknownTypes: string[] = [];
  const edgesBySource = new Map<string, Map<string, string>>();
  for (const e of doc.edges) {
    let m = edgesBySource.get(e.source);
    if (!m) edgesBySource.set(e.source, (m = new Map()));
    // One edge per outcome; if a document has two, the first wins (the validator flags it).
    if (!m.has(e.sourceOutcome)) m.set(e.sourceOutcome, e.target);
  }

  const keepResults = new Set<string>();
  const flowZone = doc.timeZone && isTimeZone(doc.timeZone) ? doc.timeZone : 'UTC';
  let trigger: CompiledNode | undefined;
  for (const n of doc.nodes) {
    if (nodes.has(n.id)) continue;
    const typeVersion = n.typeVersion ?? DEFAULT_TYPE_VERSION;
    const desc = nodeTypeOf(n);
    if (!desc) {
      unknownTypes.push(n.typeVersion === undefined ? n.type : `${n.type}@${typeVersion}`);
      continue;
    }
    const merged = withDefaults(desc, n.config);
    const parsed = desc.configSchema.safeParse(merged);
    const config = parsed.success ? (parsed.data as NodeConfig) : merged;
    let outcomes: OutcomeDescription[];
    try {
      outcomes = outcomesOf(desc, config);
    } catch {
      outcomes = [];
    }
    const node: CompiledNode = {
      id: n.id,
      type: n.type,
      typeVersion,
      ...(n.label !== undefined ? { label: n.label } : {}),
      desc,
      config,
      outcomes: new Map(outcomes.map((o) => [o.id, o])),
      next: edgesBySource.get(n.id) ?? new Map(),
      targets: new Map(),
      ...(outcomes.find((o) => o.failure)
        ? { failureOutcome: outcomes.find((o) => o.failure)?.id }
        : {}),
      timeZone:
        typeof config.timezone === 'string' && isTimeZone(config.timezone)
          ? config.timezone
          : flowZone,
    };
    nodes.set(n.id, node);
    if (desc.trigger && !trigger) trigger = node;
    try {
      for (const r of desc.references?.(config) ?? []) keepResults.add(r.nodeId);
      for (const t of desc.templates?.(config) ?? []) {
        const p = parseTemplate(t.text);
        if (!p.ok) continue;
        for (const [root, id] of readPaths(p.template)) {
          if (root === 'results' && typeof id === 'string') keepResults.add(id);
        }
      }
    } catch {
      // A config the hooks cannot read keeps nothing; the run fails on that node instead.
    }
  }
  for (const node of nodes.values()) {
    for (const [outcome, target] of node.next) {
      const t = nodes.get(target);
      if (t) node.targets.set(outcome, t);
    }
  }
  return {
    compiled: true,
    doc,
    nodes,
    ...(trigger ? { trigger } : {}),
    keepResults,
    templates: new TemplateCache(),
    unknownTypes,
  };
}
