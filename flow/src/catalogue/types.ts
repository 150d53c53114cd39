import type * as z from 'zod';
import type { ActionDraft, EndReason } from '../actions.js';
import type { CallEvent, CallEventType } from '../events.js';
import type { CallInfo, NodeResult } from '../state.js';
import type { ScenarioInput } from '../scenarios/scenario.js';

export type Category = 'Triggers' | 'Call control' | 'Participants' | 'Media' | 'Logic' | 'Data';

/** Palette order. */
export const categories: readonly Category[] = [
  'Triggers',
  'Call control',
  'Participants',
  'Media',
  'Logic',
  'Data',
];

/**
 * Where a node sits in the life of the call, for the call-control order rule:
 * - establishes: gets the app a connected call (answer, outbound trigger);
 * - releases: gives an unanswered incoming call away (reject, redirect), so it must come before answering;
 * - needsConnectedCall: acts on a call connection (media, participants, transfer, hang up);
 * - none: logic and the incoming trigger.
 */
export type CallControlRole = 'establishes' | 'releases' | 'needsConnectedCall' | 'none';

export interface OutcomeDescription {
  /** Stable id stored in edges' `sourceOutcome`. */
  id: string;
  label: string;
  /** The node failed; Timeout and ActionFailed events take the first such outcome. */
  failure?: true;
  /** Taking this outcome ends the run because the app has left the call (e.g. a 1:1 transfer). */
  endsRun?: EndReason;
  /**
   * What the call does when this outcome has no edge. Default (unset): the call ends — an
   * incoming call never answered is rejected at once, a connected one is hung up for everyone.
   * `leave`: the app leaves the call and `who` stay connected (after someone joined it).
   */
  unconnected?: { does: 'leave'; who: string };
}

export type NodeConfig = Record<string, unknown>;

/** A template inside a config, with its path from the config root (for validation messages). */
export interface TemplateRef {
  path: (string | number)[];
  text: string;
  /** The field may reference secrets (`{{ secret.NAME }}`); e.g. an HTTP header, never a prompt. */
  secrets?: true;
}

/** A config field that names another node. */
export interface NodeRef {
  path: (string | number)[];
  nodeId: string;
  /** The node type the referenced node must have. */
  nodeType?: string;
}

/** What a node type's hooks see while a run is on the node. */
export interface NodeContext<C = NodeConfig> {
  nodeId: string;
  /** The run's id: stable for the whole call, and the same when a recording is replayed. */
  runId: string;
  config: C;
  call: Readonly<CallInfo>;
  vars: Readonly<Record<string, string>>;
  results: Readonly<Record<string, NodeResult>>;
  /** ms epoch; the only clock a node may read. */
  now: number;
  /**
   * Renders a Liquid template over call, vars (or `vars` given here) and results; never
   * throws: a template error renders '' and is traced.
   */
  render(template: string, vars?: Readonly<Record<string, string>>): string;
  /** Set when the node re-issues its action after no input / an invalid key. */
  retry?: { reason: string; attempt: number };
}

/** A logic node's decision: an outcome id, optionally with variables to set. */
export type RunResult = string | { outcome: string; vars?: Record<string, string> };

/** Maps an ACS callback (by type and subCode) to an outcome; the first matching rule wins. */
export interface EventRule<C = NodeConfig> {
  on: CallEventType;
  /** Match only this resultInformation.subCode. */
  subCode?: number;
  /** Further condition on the event and the config. */
  when?: (event: CallEvent, config: C) => boolean;
  /** The outcome taken (a declared outcome id). */
  outcome?: string;
  /** Computes the outcome when it depends on the event, e.g. the menu choice for a digit. */
  pick?: (event: CallEvent, config: C) => string;
  /** Re-issue the node's action instead, while `retries(config)` allows; names the reason. */
  retry?: string;
  /** What happened, in plain words, for the trace (e.g. "the server answered 404"). */
  note?: (event: CallEvent) => string | undefined;
}

/**
 * Everything about one version of a node type. Declared once per (type, version) in
 * `catalogue/<type>.ts`; the validator, the interpreter and the designer are generic over
 * these descriptions.
 */
export interface NodeTypeDescription<C = NodeConfig> {
  type: string;
  /**
   * The type version (n8n's typeVersion). A published flow runs with the versions its nodes
   * record, so a change to behaviour, defaults or outcomes is a new version; the old one stays
   * in the catalogue, executable. Starts at 1.
   */
  version: number;
  label: string;
  category: Category;
  /** Fluent UI icon name. */
  icon: string;
  /** One line for the palette. */
  description: string;
  /** Strict zod object with defaults; every field has `.meta({ title, description, widget? })`. */
  configSchema: z.ZodObject;
  outcomes: readonly OutcomeDescription[] | ((config: C) => OutcomeDescription[]);
  /** No outcomes: the run ends when the node has issued its action. */
  terminal?: true;
  /** Why the run ends at a terminal node. */
  endReason?: EndReason;
  /** `subflow`: the flow is called by another flow's "Run subflow" node, on its call. */
  trigger?: 'incoming' | 'outbound' | 'subflow';
  callControl: CallControlRole;
  /** Waits for the caller or the network (a cycle needs at least one such node). */
  waits: boolean;
  /** Short text on the canvas node, e.g. "Transfer to +1 425 555 0100". */
  summary: (config: C) => string;
  /** Variables set on entering the node, before its action (e.g. input defaults). */
  enter?: (ctx: NodeContext<C>) => Record<string, string>;
  /** The ACS action(s) issued on entering the node, or an outcome to take at once. */
  action?: (ctx: NodeContext<C>) => ActionDraft | ActionDraft[] | { outcome: string };
  /** Logic nodes: pick an outcome synchronously, within the same step. */
  run?: (ctx: NodeContext<C>) => RunResult;
  /**
   * How long a run may wait on this node's action (given the actions issued, e.g. the prompts
   * a menu plays) before the engine asks ACS about the call: a callback should have come by then.
   */
  maxWaitSeconds?: (config: C, actions: readonly ActionDraft[]) => number;
  /**
   * When its callbacks are lost (the wait passed, the call is still up), the node's action is
   * issued again with a new operation context — safe for media: the caller hears the prompt
   * again. Without it the run ends `failed` ("callbacks lost").
   */
  reissueWhenLost?: true;
  /** Callback → outcome mapping; ActionFailed and Timeout always take the failure outcome. */
  events?: readonly EventRule<C>[];
  /** Re-prompts allowed by rules with `retry`. */
  retries?: (config: C) => number;
  /**
   * Variables set when the node takes an outcome (e.g. the digits collected), from its result
   * and the event that completed it (absent when no event did, e.g. a failure on entry).
   */
  assign?: (config: C, result: NodeResult, event?: CallEvent) => Record<string, string>;
  /** Templates in the config, for parse checks and variable analysis. */
  templates?: (config: C) => TemplateRef[];
  /**
   * The caller's input at this node is sensitive (a PIN, a card number): what it collects — the
   * variables it writes, the tones of its events — is masked wherever people read runs.
   */
  sensitive?: (config: C) => boolean;
  /**
   * Inputs worth trying at this node when exploring the flow's paths for coverage, one per
   * outcome they lead to (a menu: each key, and a key that is no choice). No input, a failure
   * and the callee's answers are tried for every node that asks for them.
   */
  sampleInputs?: (config: C) => Omit<ScenarioInput, 'node'>[];
  /** Clocks (ms epoch) from `near` on at which the node takes each of its outcomes, for exploring. */
  sampleClocks?: (config: C, near: number) => number[];
  /** Variables the node sets, for the "read but never set" rule. */
  writesVariables?: (config: C) => string[];
  /** Config fields naming other nodes. */
  references?: (config: C) => NodeRef[];
  /** Config fields naming another flow (a subflow call), for the validator and the designer. */
  flowReferences?: (config: C) => FlowRef[];
  /**
   * Calls another flow on the same call: the node's action resolves the version, and its
   * answer (an ActionResult carrying `subflow`) enters that flow's trigger with `inputs` as
   * its variables. A Return node of the called flow hands back: `outputs` are the caller's
   * variables it sets, and the return's outcome is the node's outcome.
   */
  calls?: {
    inputs: (ctx: NodeContext<C>) => Record<string, string>;
    outputs: (config: C, returned: Readonly<Record<string, string>>) => Record<string, string>;
  };
  /** Ends the flow it is in and hands control back to the node that called it. */
  returns?: (ctx: NodeContext<C>) => { outcome: string; outputs: Record<string, string> };
  /** The outcome a Return node gives its caller, as the caller's node shows it. */
  returnOutcome?: (config: C) => OutcomeDescription;
  /** A subflow trigger: why the inputs a caller gives do not fit (undefined: they do). */
  checkInputs?: (config: C, inputs: Readonly<Record<string, string>>) => string | undefined;
  /** A subflow trigger: the inputs and outputs the flow declares, for callers to check against. */
  signature?: (config: C) => SubflowSignature;
}

/** A config field naming another flow: a pinned version, or null for the latest published. */
export interface FlowRef {
  path: (string | number)[];
  flowId: string;
  version: number | null;
  /** The inputs the node gives, by name, with the templates they come from. */
  inputs: { name: string; value: string }[];
  /** The outputs the node reads, by name. */
  outputs: string[];
  /** The outcome ids the node shows (the subflow's returns as chosen in the designer). */
  outcomes: string[];
}

export type SubflowValueType = 'string' | 'number' | 'boolean';

/** What a subflow takes and gives. */
export interface SubflowSignature {
  inputs: { name: string; type: SubflowValueType; required: boolean }[];
  outputs: { name: string; type: SubflowValueType }[];
}

/**
 * Declares a node type with its hooks typed by its own config schema. The cast erases the
 * config type for the catalogue map; the interpreter only calls hooks with configs that
 * the same schema parsed.
 */
export function defineNodeType<S extends z.ZodObject>(
  description: NodeTypeDescription<z.output<S>> & { configSchema: S },
): NodeTypeDescription {
  return description as unknown as NodeTypeDescription;
}

/**
 * The next version of a node type, written as the changes to the previous one so that what
 * stays the same is described once. `changes` replaces whole properties (no deep merge): what
 * differs between the versions is all in it.
 */
export function nextVersion(
  previous: NodeTypeDescription,
  changes: Partial<Omit<NodeTypeDescription, 'type' | 'version'>> & { version: number },
): NodeTypeDescription {
  if (changes.version !== previous.version + 1) {
    throw new Error(
      `${previous.type}: version ${changes.version} must follow version ${previous.version}`,
    );
  }
  return { ...previous, ...changes };
}

export function outcomesOf(d: NodeTypeDescription, config: NodeConfig): OutcomeDescription[] {
  return typeof d.outcomes === 'function' ? d.outcomes(config) : [...d.outcomes];
}
