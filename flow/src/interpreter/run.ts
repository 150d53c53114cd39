import type { Action, ActionDraft, EndReason } from '../actions.js';
import type {
  EventRule,
  NodeConfig,
  NodeContext,
  OutcomeDescription,
  RunResult,
} from '../catalogue/types.js';
import { tonesToDigits, type CallEvent, type SubflowVersion } from '../events.js';
import {
  DEFAULT_STEP_LIMIT,
  MAX_SUBFLOW_DEPTH,
  type FlowLookup,
  type Frame,
  type TraceFrame,
  RECENT_EVENT_IDS,
  type NodeResult,
  type RunOptions,
  type RunState,
  type StepResult,
  type TraceEntry,
} from '../state.js';
import { toCompiledFlow, type CompiledFlow, type CompiledNode } from './compile.js';
import { CALL_TEMPLATE_FIELDS } from '../templates.js';

const DEFAULT_MAX_WAIT_SECONDS = 60;
const NO_ENV: Readonly<Record<string, string>> = Object.freeze({});
/** Times a run's media actions are issued again after lost callbacks. */
const MAX_REISSUES = 2;

const nodeNameOf = (node: CompiledNode) => `“${node.label ?? node.desc.label}”`;

/**
 * One invocation of start or step. Works on a shallow copy of the state and copies nested
 * objects only when it changes them, so the caller's state is never mutated and the cost of a
 * step does not depend on how big the flow (or the state) is.
 */
export class Run {
  readonly state: RunState;
  readonly actions: Action[] = [];
  readonly trace: TraceEntry[] = [];
  private readonly owned = new Set<'vars' | 'results' | 'attempts' | 'call'>();
  private readonly stepLimit: number;
  private readonly env: Readonly<Record<string, string>>;
  private callScope: Record<string, string> | undefined;
  /** The flow the run is in: the run's own, or the innermost subflow's (see `frames`). */
  private flow: CompiledFlow;
  private readonly lookup: FlowLookup | undefined;
  private traceFrames: TraceFrame[] | undefined;
  /** Set by a Return node: the caller node the returned outcome is followed from. */
  private resumeFrom: CompiledNode | undefined;
  /** The innermost subflow's version could not be found (the lookup lacks it). */
  readonly missingFlow: string | undefined;

  constructor(
    private readonly root: CompiledFlow,
    state: RunState,
    readonly now: number,
    options: RunOptions | undefined,
  ) {
    this.state = { ...state };
    this.stepLimit = options?.stepLimit ?? DEFAULT_STEP_LIMIT;
    this.lookup = options?.flows;
    this.env = options?.env ?? NO_ENV;
    this.flow = root;
    const top = state.frames?.[state.frames.length - 1];
    if (top) {
      const f = this.flowOf(top.versionId);
      if (f) this.flow = f;
      else this.missingFlow = top.versionId;
      this.traceFrames = state.frames?.map(traceFrame);
    }
  }

  /** The flow the run is in now. */
  get currentFlow(): CompiledFlow {
    return this.flow;
  }

  private flowOf(versionId: string): CompiledFlow | undefined {
    const f = this.lookup?.(versionId);
    return f ? toCompiledFlow(f) : undefined;
  }

  result(): StepResult {
    return { state: this.state, actions: this.actions, trace: this.trace };
  }

  // ---- state edits (copy on first write) ----

  private own<K extends 'vars' | 'results' | 'attempts' | 'call'>(key: K): RunState[K] {
    if (!this.owned.has(key)) {
      this.owned.add(key);
      this.state[key] = { ...this.state[key] } as RunState[K];
    }
    return this.state[key];
  }

  setVars(vars: Readonly<Record<string, string>>): void {
    const keys = Object.keys(vars);
    if (keys.length === 0) return;
    const own = this.own('vars');
    for (const k of keys) own[k] = String(vars[k] ?? '');
  }

  private setResult(nodeId: string, result: NodeResult | undefined): void {
    if (!this.flow.keepResults.has(nodeId)) return;
    if (result === undefined) {
      if (nodeId in this.state.results) delete this.own('results')[nodeId];
    } else {
      this.own('results')[nodeId] = result;
    }
  }

  recordEvent(event: CallEvent): void {
    const ids = this.state.recentEventIds;
    this.state.recentEventIds =
      ids.length >= RECENT_EVENT_IDS
        ? [...ids.slice(ids.length - RECENT_EVENT_IDS + 1), event.id]
        : [...ids, event.id];
    const call = this.state.call;
    // Learn the call's ids from whatever event carries them first.
    this.callScope = undefined;
    if (event.callConnectionId && call.callConnectionId !== event.callConnectionId) {
      this.own('call').callConnectionId = event.callConnectionId;
    }
    if (event.serverCallId && call.serverCallId === '')
      this.own('call').serverCallId = event.serverCallId;
    if (event.correlationId && call.correlationId === '')
      this.own('call').correlationId = event.correlationId;
    if (event.type === 'CallConnected' && !call.connected) {
      const owned = this.own('call');
      owned.connected = true;
      // Single use, and spent once the call is answered (redirect and reject need an unanswered
      // call): ACS's context is a long token that would otherwise be stored with every step.
      delete owned.incomingCallContext;
    }
  }

  // ---- trace and actions ----

  note(entry: TraceEntry): void {
    this.trace.push(this.traceFrames ? { ...entry, in: this.traceFrames } : entry);
  }

  private emit(node: CompiledNode, drafts: readonly ActionDraft[]): string {
    let context = '';
    for (const draft of drafts) {
      this.state.seq += 1;
      context = `${this.state.runId}:${this.state.seq}`;
      const action = {
        ...draft,
        id: context,
        operationContext: context,
        nodeId: node.id,
      } as Action;
      this.actions.push(action);
      this.note({
        at: this.now,
        kind: 'action',
        nodeId: node.id,
        action: action.kind,
        id: context,
      });
    }
    return context;
  }

  /**
   * Ends the run, letting go of the call as asked: `release` hangs up a connected call for
   * everyone and rejects an incoming call still ringing (a caller is never left ringing);
   * `leave` takes only the app out of a connected call, the other parties stay connected.
   */
  end(reason: EndReason, letGo: false | 'release' | 'leave' = false): void {
    if (this.state.status === 'ended') return;
    const nodeId = this.state.currentNodeId ?? '';
    const call = this.state.call;
    const act = (draft: ActionDraft) => {
      this.state.seq += 1;
      const id = `${this.state.runId}:${this.state.seq}`;
      this.actions.push({ ...draft, id, operationContext: id, nodeId } as Action);
      this.note({ at: this.now, kind: 'action', nodeId, action: draft.kind, id });
    };
    // An answered call whose CallConnected never came (lost) is still held: ACS accepted the
    // answer (its result named the connection), so it is hung up, not rejected (a reject of an
    // answered call fails, and would leave the caller in a call nobody is on).
    const answered = call.direction === 'incoming' && call.callConnectionId !== '';
    if (letGo && (call.connected || answered)) {
      act({ kind: 'hangUp', forEveryone: letGo === 'release' || !call.connected });
    } else if (letGo && call.direction === 'incoming' && call.incomingCallContext) {
      act({ kind: 'rejectCall', incomingCallContext: call.incomingCallContext, reason: 'none' });
    }
    this.state.status = 'ended';
    this.state.endReason = reason;
    delete this.state.awaiting;
    if (Object.keys(this.state.attempts).length > 0) this.state.attempts = {};
    this.actions.push({ kind: 'end', reason });
    this.note({ at: this.now, kind: 'end', ...(nodeId ? { nodeId } : {}), reason });
  }

  // ---- walking the graph ----

  private context(
    node: CompiledNode,
    retry?: { reason: string; attempt: number },
  ): NodeContext<NodeConfig> {
    return new HookContext(this, node, retry);
  }

  /** Renders for a node; a template error renders '' and is traced, never thrown. */
  render(
    node: CompiledNode,
    text: string,
    vars: Readonly<Record<string, string>> | undefined,
  ): string {
    const call = this.state.call;
    this.callScope ??= Object.fromEntries(CALL_TEMPLATE_FIELDS.map((f) => [f, call[f]]));
    const r = this.flow.templates.render(
      text,
      {
        call: this.callScope,
        vars: vars ?? this.state.vars,
        results: this.state.results,
        env: this.env,
      },
      { now: this.now, timeZone: node.timeZone },
    );
    if (r.ok) return r.text;
    this.note({
      at: this.now,
      kind: 'templateError',
      nodeId: node.id,
      message: `${templateField(node, text)}: ${r.message}`,
    });
    return '';
  }

  /** Enters `node` and keeps going through nodes that finish at once, until one waits or the run ends. */
  enter(first: CompiledNode): void {
    let node: CompiledNode | undefined = first;
    while (node && this.state.status === 'running') {
      const outcome = this.enterOne(node);
      if (outcome === undefined) return;
      const from = this.resumeFrom ?? node;
      this.resumeFrom = undefined;
      node = this.follow(from, outcome);
    }
  }

  /** Returns the outcome when the node finished at once, undefined when it waits or the run ended. */
  private enterOne(node: CompiledNode): string | undefined {
    const s = this.state;
    s.stepCount += 1;
    s.currentNodeId = node.id;
    delete s.awaiting;
    if (s.stepCount > this.stepLimit) {
      this.end('stepLimit', 'release');
      return undefined;
    }
    this.note({ at: this.now, kind: 'enter', nodeId: node.id, type: node.type });
    this.setResult(node.id, undefined);
    const desc = node.desc;
    try {
      if (desc.returns) return this.returnFrom(node);
      if (desc.enter) this.setVars(desc.enter(this.context(node)));
      if (desc.run) {
        const r: RunResult = desc.run(this.context(node));
        if (typeof r === 'string') return r;
        if (r.vars) this.setVars(r.vars);
        return r.outcome;
      }
      if (!desc.action) return this.fail(node, 'node type has neither run nor action');
      return this.issue(node);
    } catch (e) {
      return this.fail(node, e instanceof Error ? e.message : String(e));
    }
  }

  /** Issues the node's action(s); returns an outcome if the node decided without one. */
  private issue(
    node: CompiledNode,
    retry?: { reason: string; attempt: number },
  ): string | undefined {
    const desc = node.desc;
    const produced = desc.action?.(this.context(node, retry));
    if (!produced) return this.fail(node, 'no action');
    if ('outcome' in produced) return produced.outcome;
    const drafts = Array.isArray(produced) ? produced : [produced];
    const context = this.emit(node, drafts);
    if (desc.terminal) {
      this.end(desc.endReason ?? 'completed');
      return undefined;
    }
    const wait = desc.maxWaitSeconds?.(node.config, drafts) ?? DEFAULT_MAX_WAIT_SECONDS;
    this.state.awaiting = {
      nodeId: node.id,
      operationContext: context,
      since: this.now,
      deadline: this.now + wait * 1000,
    };
    return undefined;
  }

  /** A node that cannot do its job takes its failure outcome, or ends the run. */
  private fail(node: CompiledNode, message: string): string | undefined {
    this.note({ at: this.now, kind: 'error', nodeId: node.id, message });
    if (node.failureOutcome) return node.failureOutcome;
    this.end('failed', 'release');
    return undefined;
  }

  /** Takes `outcome` from `node`; returns the next node to enter, if any. */
  private follow(node: CompiledNode, outcome: string): CompiledNode | undefined {
    const s = this.state;
    this.note({ at: this.now, kind: 'outcome', nodeId: node.id, outcome });
    if (node.id in s.attempts) delete this.own('attempts')[node.id];
    const described = node.outcomes.get(outcome);
    if (described?.endsRun) {
      // The app has already left the call (e.g. a 1:1 transfer): nothing to hang up.
      this.end(described.endsRun);
      return undefined;
    }
    const next = node.targets.get(outcome);
    if (!next) {
      this.endUnconnected(described);
      return undefined;
    }
    return next;
  }

  /**
   * An outcome with no edge: what its description says (`unconnected`) — by default the call
   * ends (an unanswered incoming call is rejected at once, a connected one hung up); `leave`
   * takes the app out and leaves the other parties connected.
   */
  private endUnconnected(described: OutcomeDescription | undefined): void {
    const call = this.state.call;
    if (described?.unconnected?.does === 'leave' && call.connected) {
      this.end('appLeft', 'leave');
      return;
    }
    const unanswered = !call.connected && call.direction === 'incoming' && call.incomingCallContext;
    const failed = !call.connected && described?.failure;
    this.end(failed ? 'failed' : unanswered ? 'rejected' : 'completed', 'release');
  }

  // ---- subflows ----

  /**
   * Enters the subflow a "Run subflow" node resolved: a new frame keeps the caller's variables
   * and results, the subflow starts with only its inputs, at its trigger. Anything that stops
   * the call (depth, an unknown version, inputs that do not fit) takes the node's failure
   * outcome instead, with the reason traced.
   */
  private descend(node: CompiledNode, resolved: SubflowVersion): void {
    const calls = node.desc.calls;
    const frames = this.state.frames ?? [];
    const failWith = (message: string) => {
      const outcome = this.fail(node, message);
      if (outcome !== undefined) this.continueWith(node, outcome);
    };
    if (!calls) return failWith('this node calls no subflow');
    if (frames.length >= MAX_SUBFLOW_DEPTH) {
      return failWith(`subflows are nested more than ${MAX_SUBFLOW_DEPTH} deep`);
    }
    const sub = this.flowOf(resolved.versionId);
    if (!sub) return failWith(`version ${resolved.version} of the subflow is not available`);
    const trigger = sub.trigger;
    if (!trigger || trigger.desc.trigger !== 'subflow') {
      return failWith(
        `version ${resolved.version} of the subflow does not start with “Subflow start”`,
      );
    }
    let inputs: Record<string, string>;
    try {
      inputs = calls.inputs(this.context(node));
    } catch (e) {
      return failWith(e instanceof Error ? e.message : String(e));
    }
    const wrong = trigger.desc.checkInputs?.(trigger.config, inputs);
    if (wrong) return failWith(wrong);
    const frame: Frame = {
      flowId: resolved.flowId,
      versionId: resolved.versionId,
      version: resolved.version,
      nodeId: node.id,
      vars: this.state.vars,
      results: this.state.results,
    };
    const s = this.state;
    s.frames = [...frames, frame];
    s.vars = { ...inputs };
    s.results = {};
    this.owned.add('vars');
    this.owned.add('results');
    if (node.id in s.attempts) delete this.own('attempts')[node.id];
    this.flow = sub;
    this.callScope = undefined;
    this.traceFrames = s.frames.map(traceFrame);
    this.enter(trigger);
  }

  /**
   * A Return node: the subflow's frame is left, the caller's variables and results come back,
   * with the outputs the caller maps, and the caller node takes the return's outcome (its
   * failure outcome when the caller does not show that outcome: a newer version returns one
   * the caller was not wired for).
   */
  private returnFrom(node: CompiledNode): string | undefined {
    const s = this.state;
    const frames = s.frames ?? [];
    const frame = frames[frames.length - 1];
    const returned = node.desc.returns?.(this.context(node));
    if (!frame || !returned) {
      this.end('completed', 'release');
      return undefined;
    }
    const rest = frames.slice(0, -1);
    const parentTop = rest[rest.length - 1];
    const parent = parentTop ? this.flowOf(parentTop.versionId) : this.root;
    const caller = parent?.nodes.get(frame.nodeId);
    if (!parent || !caller) {
      this.note({
        at: this.now,
        kind: 'error',
        nodeId: node.id,
        message: 'the calling flow is not available',
      });
      this.end('failed', 'release');
      return undefined;
    }
    if (rest.length > 0) s.frames = rest;
    else delete s.frames;
    s.vars = frame.vars;
    s.results = frame.results;
    this.owned.delete('vars');
    this.owned.delete('results');
    this.flow = parent;
    this.callScope = undefined;
    this.traceFrames = rest.length > 0 ? rest.map(traceFrame) : undefined;
    s.currentNodeId = caller.id;
    this.note({
      at: this.now,
      kind: 'event',
      nodeId: caller.id,
      event: 'SubflowReturned',
      eventId: `${s.runId}:return:${s.stepCount}`,
      note: `returned “${returned.outcome}”`,
    });
    try {
      this.setVars(caller.desc.calls?.outputs(caller.config, returned.outputs) ?? {});
    } catch (e) {
      this.note({ at: this.now, kind: 'error', nodeId: caller.id, message: String(e) });
    }
    this.resumeFrom = caller;
    const outcome = node.desc.returnOutcome?.(node.config).id ?? returned.outcome;
    if (caller.outcomes.has(outcome)) return outcome;
    this.note({
      at: this.now,
      kind: 'error',
      nodeId: caller.id,
      message: `the subflow returned “${returned.outcome}”, which this node does not show`,
    });
    if (caller.failureOutcome) return caller.failureOutcome;
    this.resumeFrom = undefined;
    this.end('failed', 'release');
    return undefined;
  }

  // ---- events for the awaited node ----

  /** Applies an event addressed to the awaited node (caller checked the operation context). */
  apply(node: CompiledNode, event: CallEvent): void {
    const result = eventResult(event, this.now);
    if (event.type === 'Timeout') {
      this.callbacksLost(node);
      return;
    }
    if (event.type === 'ActionFailed') {
      this.complete(node, node.failureOutcome, result, event);
      return;
    }
    if (event.subflow && node.desc.calls) {
      delete this.state.awaiting;
      this.note({
        at: this.now,
        kind: 'event',
        nodeId: node.id,
        event: event.type,
        eventId: event.id,
        note: `calls version ${event.subflow.version} (${event.subflow.versionId})`,
      });
      this.descend(node, event.subflow);
      return;
    }
    const rule = matchRule(node.desc.events ?? [], event, node.config);
    if (!rule) {
      // e.g. the HTTP result of an action whose completion comes later: keep what it told us.
      this.mergeResult(node.id, result);
      this.note({
        at: this.now,
        kind: 'event',
        nodeId: node.id,
        event: event.type,
        eventId: event.id,
        note: 'no outcome yet',
      });
      return;
    }
    const note = rule.note?.(event);
    this.note({
      at: this.now,
      kind: 'event',
      nodeId: node.id,
      event: event.type,
      eventId: event.id,
      ...(note ? { note } : {}),
    });
    if (rule.retry) {
      const used = this.state.attempts[node.id] ?? 0;
      const allowed = node.desc.retries?.(node.config) ?? 0;
      if (used < allowed) {
        this.own('attempts')[node.id] = used + 1;
        this.note({
          at: this.now,
          kind: 'retry',
          nodeId: node.id,
          reason: rule.retry,
          attempt: used + 1,
        });
        let outcome: string | undefined;
        try {
          outcome = this.issue(node, { reason: rule.retry, attempt: used + 1 });
        } catch (e) {
          outcome = this.fail(node, e instanceof Error ? e.message : String(e));
        }
        if (outcome !== undefined) this.continueWith(node, outcome);
        return;
      }
    }
    const outcome = rule.pick ? rule.pick(event, node.config) : rule.outcome;
    this.complete(node, outcome, result, event);
  }

  /**
   * The wait passed and the call is still there (the engine asked ACS): the callback was lost.
   * A media node says its prompt again (a new operation context; MAX_REISSUES a run); anything
   * else, or once too often, ends the run `failed` — never as if the node had finished.
   */
  private callbacksLost(node: CompiledNode): void {
    const a = this.state.awaiting;
    const waited = a ? Math.round((a.deadline - a.since) / 1000) : 0;
    const what = `no callback for ${nodeNameOf(node)} within ${waited} s`;
    const spent = this.state.lostCallbacks ?? 0;
    if (node.desc.reissueWhenLost && this.state.call.connected && spent < MAX_REISSUES) {
      this.state.lostCallbacks = spent + 1;
      this.note({
        at: this.now,
        kind: 'retry',
        nodeId: node.id,
        reason: `callbacks lost: ${what}; issuing it again`,
        attempt: spent + 1,
      });
      let outcome: string | undefined;
      try {
        outcome = this.issue(node);
      } catch (e) {
        outcome = this.fail(node, e instanceof Error ? e.message : String(e));
      }
      if (outcome !== undefined) this.continueWith(node, outcome);
      return;
    }
    delete this.state.awaiting;
    this.note({ at: this.now, kind: 'error', nodeId: node.id, message: `callbacks lost: ${what}` });
    this.end('failed', 'release');
  }

  private mergeResult(nodeId: string, result: NodeResult): void {
    if (!this.flow.keepResults.has(nodeId)) return;
    this.own('results')[nodeId] = { ...this.state.results[nodeId], ...result };
  }

  private complete(
    node: CompiledNode,
    outcome: string | undefined,
    result: NodeResult,
    event: CallEvent,
  ): void {
    delete this.state.awaiting;
    if (outcome === undefined) {
      this.end('failed', 'release');
      return;
    }
    const full: NodeResult = { ...this.state.results[node.id], ...result, outcome };
    this.mergeResult(node.id, full);
    try {
      if (node.desc.assign) this.setVars(node.desc.assign(node.config, full, event));
    } catch (e) {
      this.note({ at: this.now, kind: 'error', nodeId: node.id, message: String(e) });
    }
    this.continueWith(node, outcome);
  }

  private continueWith(node: CompiledNode, outcome: string): void {
    const next = this.follow(node, outcome);
    if (next) this.enter(next);
  }
}

/** Which field of the node's config holds `text` (for the trace), e.g. "prompt". */
function templateField(node: CompiledNode, text: string): string {
  try {
    const ref = node.desc.templates?.(node.config).find((t) => t.text === text);
    if (ref) return ref.path.join('.');
  } catch {
    // A config the hook cannot read: name no field.
  }
  return 'a template';
}

function matchRule(
  rules: readonly EventRule[],
  event: CallEvent,
  config: NodeConfig,
): EventRule | undefined {
  for (const r of rules) {
    if (r.on !== event.type) continue;
    if (r.subCode !== undefined && r.subCode !== event.resultInformation?.subCode) continue;
    if (r.when && !r.when(event, config)) continue;
    return r;
  }
  return undefined;
}

function eventResult(event: CallEvent, now: number): NodeResult {
  const r: NodeResult = { at: now };
  const info = event.resultInformation;
  if (info?.code !== undefined) r.code = info.code;
  if (info?.subCode !== undefined) r.subCode = info.subCode;
  if (info?.message !== undefined) r.message = info.message;
  if (event.tones) r.digits = tonesToDigits(event.tones);
  if (event.choiceLabel !== undefined) r.choiceLabel = event.choiceLabel;
  if (event.invitationId !== undefined) r.invitationId = event.invitationId;
  if (event.http !== undefined) r.status = event.http.status;
  return r;
}

/** What a node type's hooks see; a class (not a closure per call) keeps node entry cheap. */
class HookContext implements NodeContext<NodeConfig> {
  readonly nodeId: string;
  readonly runId: string;
  readonly config: NodeConfig;
  readonly now: number;
  readonly retry?: { reason: string; attempt: number };

  constructor(
    private readonly run: Run,
    private readonly node: CompiledNode,
    retry: { reason: string; attempt: number } | undefined,
  ) {
    this.nodeId = node.id;
    this.runId = run.state.runId;
    this.config = node.config;
    this.now = run.now;
    if (retry) this.retry = retry;
  }

  get call(): RunState['call'] {
    return this.run.state.call;
  }

  get vars(): RunState['vars'] {
    return this.run.state.vars;
  }

  get results(): RunState['results'] {
    return this.run.state.results;
  }

  render(text: string, vars?: Readonly<Record<string, string>>): string {
    return this.run.render(this.node, text, vars);
  }
}

function traceFrame(f: Frame): TraceFrame {
  return { flowId: f.flowId, versionId: f.versionId, version: f.version, nodeId: f.nodeId };
}
