import { nodeTypeOf, withDefaults } from '../catalogue/index.js';
import { fitsType } from '../catalogue/trigger-subflow.js';
import type { FlowRef, SubflowSignature } from '../catalogue/types.js';
import type { FlowDocument } from '../document.js';
import { MAX_SUBFLOW_DEPTH } from '../state.js';
import { isPlainText } from '../templates.js';
import type { ValidationIssue } from './issue.js';
import { nodeName, type FlowIndex } from './validate-flow.js';

/**
 * The published flows a document's "Run subflow" nodes may call, for the checks that need them
 * (publish time, in the engine): synchronous, so the engine loads what is referenced first.
 */
export interface SubflowCatalog {
  /** The flow being checked (its id), to find calls that come back to it. */
  selfId?: string;
  /** A published version (null: the latest), or undefined when there is none. */
  version(
    flowId: string,
    version: number | null,
  ): { version: number; document: FlowDocument } | undefined;
}

/** What a document's subflow trigger declares, if it starts with one. */
export function signatureOf(doc: FlowDocument): SubflowSignature | undefined {
  for (const n of doc.nodes) {
    const d = nodeTypeOf(n);
    if (d?.trigger === 'subflow' && d.signature) {
      const parsed = d.configSchema.safeParse(withDefaults(d, n.config));
      if (parsed.success) return d.signature(parsed.data);
    }
  }
  return undefined;
}

/** The outcome ids a document's Return nodes give its callers, in document order, once each. */
export function returnOutcomesOf(doc: FlowDocument): { id: string; label: string }[] {
  const out = new Map<string, string>();
  for (const n of doc.nodes) {
    const d = nodeTypeOf(n);
    if (!d?.returnOutcome) continue;
    const parsed = d.configSchema.safeParse(withDefaults(d, n.config));
    if (!parsed.success) continue;
    const o = d.returnOutcome(parsed.data);
    if (!out.has(o.id)) out.set(o.id, o.label);
  }
  return [...out].map(([id, label]) => ({ id, label }));
}

/** The flows a document calls (every "Run subflow" node's reference). */
export function flowReferencesOf(doc: FlowDocument): FlowRef[] {
  const refs: FlowRef[] = [];
  for (const n of doc.nodes) {
    const d = nodeTypeOf(n);
    if (!d?.flowReferences) continue;
    const parsed = d.configSchema.safeParse(withDefaults(d, n.config));
    if (!parsed.success) continue;
    try {
      for (const r of d.flowReferences(parsed.data)) if (r.flowId !== '') refs.push(r);
    } catch {
      // A config its hook cannot read names no flow.
    }
  }
  return refs;
}

const waits = (doc: FlowDocument) => doc.nodes.some((n) => nodeTypeOf(n)?.waits === true);

/**
 * Rules about subflows. Always: Return nodes only in flows that start with “Subflow start”, and
 * their outputs declared there. With a catalogue (publish): every called flow and version
 * exists and starts with “Subflow start”, required inputs are given and plain values fit their
 * types, outputs read are declared, the node shows the outcomes the version returns, calls nest
 * at most MAX_SUBFLOW_DEPTH deep, and a call that comes back to a flow already on the way (A
 * calls B calls A) has a node that waits for the caller somewhere on the cycle — else it would
 * spin through the step limit without the caller doing anything.
 */
export function checkSubflows(
  index: FlowIndex,
  catalog: SubflowCatalog | undefined,
  issues: ValidationIssue[],
): void {
  const trigger = index.triggers[0];
  const isSubflow = trigger?.desc?.trigger === 'subflow';
  const declared = isSubflow ? signatureOf(index.flow) : undefined;
  for (const info of index.nodes) {
    if (!info.desc?.returns) continue;
    if (!isSubflow) {
      issues.push({
        severity: 'error',
        nodeId: info.node.id,
        path: ['nodes', info.index],
        message: `${nodeName(info)} returns to a calling flow, but this flow starts with ${trigger ? nodeName(trigger) : 'no trigger'}, not with “Subflow start”`,
      });
      continue;
    }
    const outputs = (info.config?.outputs ?? []) as { name: string }[];
    outputs.forEach((o, i) => {
      if (declared && !declared.outputs.some((d) => d.name === o.name)) {
        issues.push({
          severity: 'error',
          nodeId: info.node.id,
          path: ['nodes', info.index, 'config', 'outputs', i, 'name'],
          message: `${nodeName(info)} gives back “${o.name}”, which “Subflow start” does not declare as an output`,
        });
      }
    });
  }
  if (!catalog) return;
  for (const info of index.nodes) {
    if (!info.desc?.flowReferences || !info.config) continue;
    for (const ref of info.desc.flowReferences(info.config)) {
      if (ref.flowId === '') continue;
      const at = ['nodes', info.index, 'config', ...ref.path];
      const error = (message: string, path: (string | number)[] = at) =>
        issues.push({ severity: 'error', nodeId: info.node.id, path, message });
      const found = catalog.version(ref.flowId, ref.version);
      if (!found) {
        error(
          ref.version === null
            ? `${nodeName(info)} calls a flow that has no published version`
            : `${nodeName(info)} calls version ${ref.version} of a flow, which is not published`,
        );
        continue;
      }
      const sig = signatureOf(found.document);
      if (!sig) {
        error(
          `${nodeName(info)} calls “${found.document.name}”, which does not start with “Subflow start”`,
        );
        continue;
      }
      checkSignature(
        info.index,
        info.node.id,
        nodeName(info),
        ref,
        sig,
        found.document.name,
        issues,
      );
      const returned = returnOutcomesOf(found.document).map((o) => o.id);
      const missing = returned.filter((o) => !ref.outcomes.includes(o));
      const gone = ref.outcomes.filter((o) => !returned.includes(o));
      if (missing.length > 0 || gone.length > 0) {
        issues.push({
          severity: ref.version === null ? 'warning' : 'error',
          nodeId: info.node.id,
          path: ['nodes', info.index, 'config', 'subflow', 'returns'],
          message: `${nodeName(info)} shows other outcomes than version ${found.version} of “${found.document.name}” returns (${returned.map((o) => o.replace(/^return:/, '')).join(', ') || 'none'}); choose the version again`,
        });
      }
      const trouble = walkCalls(
        found.document,
        ref.flowId,
        catalog,
        [...(catalog.selfId ? [catalog.selfId] : [])],
        waits(index.flow),
        1,
      );
      if (trouble) error(`${nodeName(info)}: ${trouble}`);
    }
  }
}

function checkSignature(
  nodeIndex: number,
  nodeId: string,
  name: string,
  ref: FlowRef,
  sig: SubflowSignature,
  flowName: string,
  issues: ValidationIssue[],
): void {
  const at = (i: number, field: string) => ['nodes', nodeIndex, 'config', 'inputs', i, field];
  for (const want of sig.inputs) {
    if (want.required && !ref.inputs.some((i) => i.name === want.name)) {
      issues.push({
        severity: 'error',
        nodeId,
        path: ['nodes', nodeIndex, 'config', 'inputs'],
        message: `${name} does not give “${want.name}”, which “${flowName}” requires`,
      });
    }
  }
  ref.inputs.forEach((given, i) => {
    const want = sig.inputs.find((w) => w.name === given.name);
    if (!want) {
      issues.push({
        severity: 'error',
        nodeId,
        path: at(i, 'name'),
        message: `“${flowName}” has no input “${given.name}”`,
      });
    } else if (isPlainText(given.value) && !fitsType(given.value, want.type)) {
      issues.push({
        severity: 'error',
        nodeId,
        path: at(i, 'value'),
        message: `“${given.name}” of “${flowName}” is a ${want.type}; “${given.value}” is not one`,
      });
    }
  });
  ref.outputs.forEach((o, i) => {
    if (!sig.outputs.some((d) => d.name === o)) {
      issues.push({
        severity: 'error',
        nodeId,
        path: ['nodes', nodeIndex, 'config', 'outputs', i, 'output'],
        message: `“${flowName}” gives back no output “${o}”`,
      });
    }
  });
}

/**
 * Follows the calls a subflow makes, through the versions they would run now; returns what is
 * wrong (too deep, a cycle with no waiting node) or undefined.
 */
function walkCalls(
  doc: FlowDocument,
  flowId: string,
  catalog: SubflowCatalog,
  onTheWay: string[],
  waitedSoFar: boolean,
  depth: number,
): string | undefined {
  if (depth > MAX_SUBFLOW_DEPTH) {
    return `subflows would nest more than ${MAX_SUBFLOW_DEPTH} deep (through “${doc.name}”)`;
  }
  const waited = waitedSoFar || waits(doc);
  if (onTheWay.includes(flowId)) {
    return waited
      ? undefined
      : `“${doc.name}” would call itself again with nothing on the way that waits for the caller: the call would loop`;
  }
  for (const ref of flowReferencesOf(doc)) {
    const next = catalog.version(ref.flowId, ref.version);
    if (!next) continue;
    const trouble = walkCalls(
      next.document,
      ref.flowId,
      catalog,
      [...onTheWay, flowId],
      waited,
      depth + 1,
    );
    if (trouble) return trouble;
  }
  return undefined;
}
