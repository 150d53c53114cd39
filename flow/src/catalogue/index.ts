import { addParticipant, addParticipantV1 } from './call-add-participant.js';
import { answerCall } from './call-answer.js';
import { cancelAddParticipant } from './call-cancel-add-participant.js';
import { hangUp } from './call-hang-up.js';
import { holdParticipant } from './call-hold.js';
import { muteParticipant } from './call-mute-participant.js';
import { redirectCall } from './call-redirect.js';
import { rejectCall } from './call-reject.js';
import { removeParticipant } from './call-remove-participant.js';
import { transferCall } from './call-transfer.js';
import { unholdParticipant } from './call-unhold.js';
import { httpRequest } from './data-http-request.js';
import { branch } from './logic-branch.js';
import { returnNode } from './flow-return.js';
import { runSubflow } from './flow-run-subflow.js';
import { split } from './logic-split.js';
import { subflowTrigger } from './trigger-subflow.js';
import { businessHours } from './logic-business-hours.js';
import { setVariables } from './logic-set-variables.js';
import { collectDigits } from './media-collect-digits.js';
import { menu } from './media-menu.js';
import { play } from './media-play.js';
import { incomingCallTrigger } from './trigger-incoming-call.js';
import { outboundCallTrigger } from './trigger-outbound-call.js';
import { categories, type Category, type NodeConfig, type NodeTypeDescription } from './types.js';

/** The latest version of every type; palette order within each category follows this list. */
const latest: readonly NodeTypeDescription[] = [
  incomingCallTrigger,
  outboundCallTrigger,
  subflowTrigger,
  answerCall,
  rejectCall,
  redirectCall,
  transferCall,
  holdParticipant,
  unholdParticipant,
  hangUp,
  addParticipant,
  cancelAddParticipant,
  removeParticipant,
  muteParticipant,
  play,
  menu,
  collectDigits,
  branch,
  split,
  setVariables,
  businessHours,
  runSubflow,
  returnNode,
  httpRequest,
];

/** Superseded versions. Never removed: flows published with them still run as they did. */
const superseded: readonly NodeTypeDescription[] = [addParticipantV1];

/** A document node that records no type version was written against version 1. */
export const DEFAULT_TYPE_VERSION = 1;

const versionsByType = new Map<string, NodeTypeDescription[]>();
for (const d of [...superseded, ...latest]) {
  const list = versionsByType.get(d.type) ?? [];
  list.push(d);
  versionsByType.set(d.type, list);
}
for (const [type, list] of versionsByType) {
  list.sort((a, b) => a.version - b.version);
  // Versions 1..n, each once, the newest in `latest`: a gap or a twin is a catalogue mistake.
  list.forEach((d, i) => {
    if (d.version !== i + 1) throw new Error(`${type}: versions must be 1..n, once each`);
  });
  if (!latest.includes(list[list.length - 1] as NodeTypeDescription)) {
    throw new Error(`${type}: the newest version must be in the palette list`);
  }
}

/** The node catalogue, by type id: the latest version of each type. */
export const nodeTypes: Readonly<Record<string, NodeTypeDescription>> = Object.freeze(
  Object.fromEntries(latest.map((d) => [d.type, d])),
);

/** A type at a version (the latest when no version is given); undefined when unknown. */
export function getNodeType(type: string, version?: number): NodeTypeDescription | undefined {
  const list = versionsByType.get(type);
  if (!list) return undefined;
  if (version === undefined) return list[list.length - 1];
  return list[version - 1];
}

/** The description a document node runs with: the type version it records, else version 1. */
export function nodeTypeOf(node: {
  type: string;
  typeVersion?: number | undefined;
}): NodeTypeDescription | undefined {
  return getNodeType(node.type, node.typeVersion ?? DEFAULT_TYPE_VERSION);
}

/** The newest version of a type (what new nodes get), or undefined for an unknown type. */
export function latestVersion(type: string): number | undefined {
  return getNodeType(type)?.version;
}

/** Every version of a type, oldest first. */
export function nodeTypeVersions(type: string): NodeTypeDescription[] {
  return [...(versionsByType.get(type) ?? [])];
}

/** Every (type, version) the catalogue can run, superseded versions included. */
export function allNodeTypeVersions(): NodeTypeDescription[] {
  return [...versionsByType.values()].flat();
}

/** The latest version of every type, grouped by category in palette order. */
export function listNodeTypes(category?: Category): NodeTypeDescription[] {
  const ordered = categories.flatMap((c) => latest.filter((d) => d.category === c));
  return category ? ordered.filter((d) => d.category === category) : ordered;
}

// By schema, not by description: versions that share their settings share the parse, and a
// description given another schema (a test changing a default) is never served stale defaults.
const defaults = new WeakMap<object, Readonly<NodeConfig>>();

/** Every field's default, parsed once per config schema. Shared: never mutate it. */
export function sharedDefaults(d: NodeTypeDescription): Readonly<NodeConfig> {
  let c = defaults.get(d.configSchema);
  if (!c) {
    c = d.configSchema.parse({}) as NodeConfig;
    defaults.set(d.configSchema, c);
  }
  return c;
}

/**
 * A stored config with every field it leaves out at its default: documents may omit fields
 * (older documents, hand-written JSON), and hooks such as `summary` expect them all.
 */
export function withDefaults(d: NodeTypeDescription, config: NodeConfig): NodeConfig {
  return { ...sharedDefaults(d), ...config };
}

/** The config a newly dropped node starts with (every field's default of that version). */
export function defaultConfig(type: string, version?: number): NodeConfig | undefined {
  const d = getNodeType(type, version);
  // Callers may edit it: hand out a copy.
  return d ? structuredClone(sharedDefaults(d)) : undefined;
}

export { categories };
