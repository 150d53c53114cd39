import type * as z from 'zod';
import { nodeTypeOf, nodeTypeVersions, withDefaults } from '../catalogue/index.js';
import {
  outcomesOf,
  type NodeConfig,
  type NodeTypeDescription,
  type OutcomeDescription,
} from '../catalogue/types.js';
import {
  FlowDocumentSchema,
  type FlowDocument,
  type FlowEdge,
  type FlowNode,
} from '../document.js';
import { CONNECTED, GONE, RINGING, callAfter, checkCallOrder } from './call-order.js';
import { fieldMessage } from './field-messages.js';
import type { ValidationIssue } from './issue.js';
import { findBusyLoops } from './loops.js';
import { checkSubflows, type SubflowCatalog } from './subflows.js';
import { checkTemplatesAndVariables } from './variables.js';
import type { EnvironmentNames } from '../environment.js';

export interface ValidateOptions {
  /**
   * The names defined where the flow runs (the engine's database): references to others are
   * errors. Without it names are not checked (a document checked on its own, e.g. an export).
   */
  environment?: EnvironmentNames;
  /** The published flows subflow nodes may call (checked at publish); without it, not checked. */
  subflows?: SubflowCatalog;
}

/** What the validator learnt about one node; shared by the rule modules. */
export interface NodeInfo {
  index: number;
  node: FlowNode;
  desc?: NodeTypeDescription;
  /** The parsed config when it is valid. */
  config?: NodeConfig;
  /** Outcome ids, when they could be worked out. */
  outcomes?: Map<string, OutcomeDescription>;
  /** Indices of nodes this one leads to through valid edges, with the outcome taken. */
  next: { to: number; outcome: string }[];
  /** Outcomes whose edge was rejected (so a second edge still counts as a duplicate). */
  blocked?: Set<string>;
}

export interface FlowIndex {
  flow: FlowDocument;
  nodes: NodeInfo[];
  byId: Map<string, NodeInfo>;
  triggers: NodeInfo[];
}

export function nodeName(info: NodeInfo): string {
  return `“${info.node.label || info.desc?.label || info.node.id}”`;
}

/**
 * Checks a flow document and returns every problem found, errors and warnings, with messages
 * written for the analyst. Runs in linear time: the graph is indexed once.
 */
export function validateFlow(doc: unknown, options: ValidateOptions = {}): ValidationIssue[] {
  const parsed = FlowDocumentSchema.safeParse(doc);
  if (!parsed.success) return shapeIssues(doc, parsed.error);
  const flow = parsed.data;
  const issues: ValidationIssue[] = [];

  const index = indexNodes(flow, issues);
  checkEdges(index, issues);
  checkTriggers(index, issues);
  checkReachability(index, issues);
  checkDanglingOutcomes(index, checkCallOrder(index, issues), issues);
  findBusyLoops(index, issues);
  checkTemplatesAndVariables(index, issues, options.environment);
  checkSubflows(index, options.subflows, issues);
  return issues;
}

function shapeIssues(doc: unknown, error: z.ZodError): ValidationIssue[] {
  const nodes =
    doc !== null && typeof doc === 'object' && Array.isArray((doc as { nodes?: unknown }).nodes)
      ? ((doc as { nodes: unknown[] }).nodes as unknown[])
      : [];
  return error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const out: ValidationIssue = { severity: 'error', path, message: shapeMessage(path, issue) };
    if (path[0] === 'nodes' && typeof path[1] === 'number') {
      const n = nodes[path[1]];
      const id = n !== null && typeof n === 'object' ? (n as { id?: unknown }).id : undefined;
      if (typeof id === 'string') out.nodeId = id;
    }
    return out;
  });
}

function shapeMessage(path: (string | number)[], issue: z.core.$ZodIssue): string {
  if (path.length === 0) {
    if (issue.code === 'invalid_type') return 'This is not a flow document';
    if (issue.code === 'unrecognized_keys')
      return `The flow has unknown properties: ${issue.keys.join(', ')}`;
  }
  if (path[0] === 'schemaVersion')
    return 'This flow was saved by a different version of Switchboard (schemaVersion must be 1)';
  // "Node 3, edge 2: …" from the numeric parts of the path; field names from the rest.
  const where = path
    .map((p, i) =>
      typeof p === 'number' ? `${String(path[i - 1] ?? '').replace(/s$/, '')} ${p + 1}` : null,
    )
    .filter((s): s is string => s !== null)
    .join(', ');
  const prefix = where ? `${where[0]?.toUpperCase()}${where.slice(1)}: ` : '';
  const field = path
    .filter((p) => typeof p === 'string' && p !== 'nodes' && p !== 'edges')
    .join('.');
  if (issue.code === 'invalid_type') {
    const missing = /received undefined$/.test(issue.message);
    const expected =
      issue.expected === 'string'
        ? 'text'
        : issue.expected === 'int'
          ? 'a whole number'
          : issue.expected;
    return `${prefix}${field || 'value'} ${missing ? 'is missing' : `should be ${expected}`}`;
  }
  // Messages our schema wrote are already sentences.
  if (!/^(Invalid|Too |Unrecognized)/.test(issue.message)) return `${prefix}${issue.message}`;
  return `${prefix}${field ? `${field}: ` : ''}${issue.message}`;
}

function indexNodes(flow: FlowDocument, issues: ValidationIssue[]): FlowIndex {
  const nodes: NodeInfo[] = [];
  const byId = new Map<string, NodeInfo>();
  const triggers: NodeInfo[] = [];
  flow.nodes.forEach((node, index) => {
    const info: NodeInfo = { index, node, next: [] };
    nodes.push(info);
    if (byId.has(node.id)) {
      issues.push({
        severity: 'error',
        nodeId: node.id,
        path: ['nodes', index, 'id'],
        message: `Two nodes have the id “${node.id}”; each node needs its own id`,
      });
    } else {
      byId.set(node.id, info);
    }
    const desc = nodeTypeOf(node);
    const versions = desc ? [] : nodeTypeVersions(node.type);
    if (!desc && versions.length > 0) {
      const latest = versions[versions.length - 1] as NodeTypeDescription;
      issues.push({
        severity: 'error',
        nodeId: node.id,
        path: ['nodes', index, 'typeVersion'],
        message: `“${node.label || node.id}” is a ${latest.label} node of version ${node.typeVersion}, which this Switchboard does not have (it knows versions 1 to ${latest.version}); choose one of those`,
      });
      return;
    }
    if (!desc) {
      issues.push({
        severity: 'error',
        nodeId: node.id,
        path: ['nodes', index, 'type'],
        message: `“${node.type}” is not a known kind of node; remove it or replace it with one from the palette`,
      });
      return;
    }
    info.desc = desc;
    if (desc.trigger) triggers.push(info);
    checkConfig(info, desc, issues);
  });
  return { flow, nodes, byId, triggers };
}

function checkConfig(info: NodeInfo, desc: NodeTypeDescription, issues: ValidationIssue[]): void {
  const { node, index } = info;
  // Fill in defaults first so that fields left out are checked like fields left empty.
  const merged = withDefaults(desc, node.config);
  const r = desc.configSchema.safeParse(merged);
  if (r.success) {
    info.config = r.data as NodeConfig;
  } else {
    for (const issue of r.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      issues.push({
        severity: 'error',
        nodeId: node.id,
        path: ['nodes', index, 'config', ...path],
        message: fieldMessage(desc.configSchema, merged, issue),
      });
    }
  }
  let outcomes: OutcomeDescription[] | undefined;
  try {
    // With a broken config, outcomes may still be computable (e.g. a menu with a bad prompt).
    outcomes = outcomesOf(desc, info.config ?? merged);
  } catch {
    outcomes = undefined;
  }
  if (outcomes) info.outcomes = new Map(outcomes.map((o) => [o.id, o]));
}

function edgeError(
  issues: ValidationIssue[],
  edge: FlowEdge,
  i: number,
  field: keyof FlowEdge,
  message: string,
): void {
  issues.push({
    severity: 'error',
    edgeId: edge.id,
    nodeId: edge.source,
    path: ['edges', i, field],
    message,
  });
}

function checkEdges(index: FlowIndex, issues: ValidationIssue[]): void {
  const edgeIds = new Set<string>();
  const edges = index.flow.edges;
  for (let i = 0; i < edges.length; i++) {
    const edge = edges[i] as FlowEdge;
    if (edgeIds.has(edge.id)) {
      edgeError(
        issues,
        edge,
        i,
        'id',
        `Two connections have the id “${edge.id}”; each connection needs its own id`,
      );
    }
    edgeIds.add(edge.id);
    const source = index.byId.get(edge.source);
    const target = index.byId.get(edge.target);
    if (!source) {
      edgeError(
        issues,
        edge,
        i,
        'source',
        `This connection starts at a node that does not exist (“${edge.source}”)`,
      );
      continue;
    }
    if (!target) {
      edgeError(
        issues,
        edge,
        i,
        'target',
        `${nodeName(source)} is connected to a node that does not exist (“${edge.target}”)`,
      );
      continue;
    }
    const desc = source.desc;
    if (!desc) continue;
    if (desc.terminal) {
      edgeError(
        issues,
        edge,
        i,
        'sourceOutcome',
        `Nothing can follow ${nodeName(source)}: it ends the flow's part in the call`,
      );
      continue;
    }
    const outcome = source.outcomes?.get(edge.sourceOutcome);
    if (source.outcomes && !outcome) {
      edgeError(
        issues,
        edge,
        i,
        'sourceOutcome',
        `${nodeName(source)} has no outcome “${edge.sourceOutcome}”`,
      );
      continue;
    }
    if (outcome?.endsRun) {
      edgeError(
        issues,
        edge,
        i,
        'sourceOutcome',
        `Nothing can follow “${outcome.label}” of ${nodeName(source)}: the flow has left the call by then`,
      );
      continue;
    }
    if (
      source.next.some((n) => n.outcome === edge.sourceOutcome) ||
      source.blocked?.has(edge.sourceOutcome)
    ) {
      edgeError(
        issues,
        edge,
        i,
        'sourceOutcome',
        `“${outcome?.label ?? edge.sourceOutcome}” of ${nodeName(source)} is connected more than once; an outcome leads to one node`,
      );
      continue;
    }
    if (target.desc?.trigger) {
      edgeError(
        issues,
        edge,
        i,
        'target',
        `${nodeName(target)} starts the flow; no connection can lead into it`,
      );
      continue;
    }
    source.next.push({ to: target.index, outcome: edge.sourceOutcome });
  }
}

function checkTriggers(index: FlowIndex, issues: ValidationIssue[]): void {
  if (index.triggers.length === 0) {
    issues.push({
      severity: 'error',
      path: ['nodes'],
      message:
        'Add a trigger (“Incoming call”, “Outbound call” or “Subflow start”) to say how the flow starts',
    });
  }
  for (const extra of index.triggers.slice(1)) {
    issues.push({
      severity: 'error',
      nodeId: extra.node.id,
      path: ['nodes', extra.index],
      message: `A flow has exactly one trigger; remove ${nodeName(extra)} or the other trigger`,
    });
  }
}

function checkReachability(index: FlowIndex, issues: ValidationIssue[]): void {
  const seen = new Uint8Array(index.nodes.length);
  const start = index.triggers[0];
  if (!start) return;
  const queue = [start.index];
  seen[start.index] = 1;
  for (let q = 0; q < queue.length; q++) {
    const info = index.nodes[queue[q] as number] as NodeInfo;
    for (const { to } of info.next) {
      if (!seen[to]) {
        seen[to] = 1;
        queue.push(to);
      }
    }
  }
  for (const info of index.nodes) {
    if (!seen[info.index] && !info.desc?.trigger) {
      issues.push({
        severity: 'warning',
        nodeId: info.node.id,
        path: ['nodes', info.index],
        message: `${nodeName(info)} can never be reached from the trigger`,
      });
    }
  }
}

function checkDanglingOutcomes(
  index: FlowIndex,
  callStates: Uint8Array,
  issues: ValidationIssue[],
): void {
  for (const info of index.nodes) {
    if (!info.outcomes || info.desc?.terminal) continue;
    const used = new Set(info.next.map((n) => n.outcome));
    for (const o of info.outcomes.values()) {
      if (o.endsRun || used.has(o.id)) continue;
      const after = callAfter(info, o.id, callStates[info.index] as number);
      // Answering or calling failed: there is no call left for an edge to act on, and the run
      // ends as failed either way, so the open outcome is not worth a warning.
      if (after === GONE) continue;
      issues.push({
        severity: 'warning',
        nodeId: info.node.id,
        path: ['nodes', info.index],
        message: `“${o.label}” of ${nodeName(info)} is not connected. ${unconnectedEffect(o, after, index)}`,
      });
    }
  }
}

/**
 * In plain words, what the caller experiences at an outcome with no edge (the interpreter's
 * `endUnconnected`), given what the call may be by then.
 */
function unconnectedEffect(o: OutcomeDescription, after: number, index: FlowIndex): string {
  const outbound = index.triggers[0]?.desc?.trigger === 'outbound';
  const connected =
    o.unconnected?.does === 'leave'
      ? `${o.unconnected.who} stay connected; the flow stops`
      : outbound
        ? 'The call is hung up'
        : 'The caller is disconnected';
  const ringing = after & RINGING && !outbound;
  if (after & CONNECTED) {
    return ringing ? `${connected}; where the call is not answered yet, it is rejected` : connected;
  }
  return ringing ? 'The call is rejected' : 'The flow stops';
}
