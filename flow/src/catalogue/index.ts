import { addParticipant } from './call-add-participant.js';
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
import { branch } from './logic-branch.js';
import { businessHours } from './logic-business-hours.js';
import { setVariables } from './logic-set-variables.js';
import { collectDigits } from './media-collect-digits.js';
import { menu } from './media-menu.js';
import { play } from './media-play.js';
import { incomingCallTrigger } from './trigger-incoming-call.js';
import { outboundCallTrigger } from './trigger-outbound-call.js';
import { categories, type Category, type NodeConfig, type NodeTypeDescription } from './types.js';

/** Palette order within each category follows this list. */
const all: readonly NodeTypeDescription[] = [
  incomingCallTrigger,
  outboundCallTrigger,
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
  setVariables,
  businessHours,
];

/** The node catalogue, by type id. */
export const nodeTypes: Readonly<Record<string, NodeTypeDescription>> = Object.freeze(
  Object.fromEntries(all.map((d) => [d.type, d])),
);

const byType = new Map(all.map((d) => [d.type, d]));

export function getNodeType(type: string): NodeTypeDescription | undefined {
  return byType.get(type);
}

/** All node types, grouped by category in palette order. */
export function listNodeTypes(category?: Category): NodeTypeDescription[] {
  const ordered = categories.flatMap((c) => all.filter((d) => d.category === c));
  return category ? ordered.filter((d) => d.category === category) : ordered;
}

const defaults = new Map<NodeTypeDescription, Readonly<NodeConfig>>();

/** Every field's default, parsed once per type. Shared: never mutate it. */
export function sharedDefaults(d: NodeTypeDescription): Readonly<NodeConfig> {
  let c = defaults.get(d);
  if (!c) {
    c = d.configSchema.parse({}) as NodeConfig;
    defaults.set(d, c);
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

/** The config a newly dropped node starts with (every field's default). */
export function defaultConfig(type: string): NodeConfig | undefined {
  const d = byType.get(type);
  // Callers may edit it: hand out a copy.
  return d ? structuredClone(sharedDefaults(d)) : undefined;
}

export { categories };
