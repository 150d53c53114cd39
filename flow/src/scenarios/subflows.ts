import type { FlowDocument } from '../document.js';
import type { SubflowVersion } from '../events.js';
import type { CompiledFlowLike, FlowLookup, RunState } from '../state.js';

/**
 * What scenarios, replays and exploration need to follow "Run subflow" nodes without I/O: which
 * version a node's call resolves to (the pinned one, or the latest published), and the flow of
 * a version. The engine builds one from the published versions it loaded; a CLI or a test from
 * documents. Without one, a subflow call takes its failure outcome ("not available").
 */
export interface SubflowResolver {
  resolve(flowId: string, version: number | null): SubflowVersion | undefined;
  flow(versionId: string): CompiledFlowLike | undefined;
}

/** The interpreter's lookup of a resolver. */
export function lookupOf(resolver: SubflowResolver | undefined): FlowLookup | undefined {
  return resolver ? (id) => resolver.flow(id) : undefined;
}

/**
 * A resolver over published documents by flow id (versions 1..n in order); a version's id is
 * `<flowId>@<version>`.
 */
export function documentsResolver(
  flows: Readonly<Record<string, readonly FlowDocument[]>>,
): SubflowResolver {
  return {
    resolve(flowId, version) {
      const list = flows[flowId];
      if (!list || list.length === 0) return undefined;
      const v = version ?? list.length;
      if (v < 1 || v > list.length) return undefined;
      return { flowId, versionId: `${flowId}@${v}`, version: v };
    },
    flow(versionId) {
      const at = versionId.lastIndexOf('@');
      if (at < 0) return undefined;
      return flows[versionId.slice(0, at)]?.[Number(versionId.slice(at + 1)) - 1];
    },
  };
}

/**
 * The node a run waits on, as scenarios and replays name it: its id, or inside a subflow the
 * path of "Run subflow" nodes down to it (`verify/pin`), so that a prompt of a shared module is
 * told apart from a node of the same id in the calling flow.
 */
export function promptNodeId(state: Pick<RunState, 'frames' | 'awaiting'>): string {
  const id = state.awaiting?.nodeId ?? '';
  const frames = state.frames;
  if (!frames || frames.length === 0) return id;
  return [...frames.map((f) => f.nodeId), id].join('/');
}
