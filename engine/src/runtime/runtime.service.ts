import { EnvironmentService } from '../environment/environment.service.js';
import { Inject, Injectable } from '@nestjs/common';
import {
  type AcsAction,
  type Action,
  type CallEvent,
  type FlowDocument,
  type RunState,
  type RunTrigger,
  type StepResult,
  start,
  step,
} from '@switchboard/flow';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { SendOutcome } from './action-executor.js';
import { ActionSender } from './action-sender.js';
import { FlowCache } from './flow-cache.js';
import { RunCache } from './run-cache.js';
import { type CommittedMessage, committedChannel, RunEvents } from './run-events.js';
import {
  asStored,
  type LockedRun,
  type OutboxRow,
  RuntimeRepository,
  type StepWrite,
} from './runtime.repository.js';
import { SentMarks } from './sent-marks.js';
import { type StepRoute, StepApplier } from './step-applier.js';

/** `${runId}:${seq}` → runId (only our own operation contexts; ACS echoes what we sent). */
const CONTEXT = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):\d+$/;

export type ApplyOutcome = 'applied' | 'duplicate' | 'unknown' | 'ended';

/** Who sent an event: ACS (real runs only) or the test-call emulator (test runs only). */
export type EventSource = 'acs' | 'testAcs';

export interface StartRunInput {
  flowId: string;
  flowVersionId: string;
  version: number;
  document: FlowDocument;
  trigger: RunTrigger;
  triggerEventId?: string;
  startedBy: string;
  receivedAt: number;
  /** A test call: its actions go to the test-call emulator (TestAcs). */
  test?: boolean;
  /** Test calls: the simulated clock minus the real one (ms). */
  clockOffsetMs?: number;
}

const isAcsAction = (a: Action): a is AcsAction => a.kind !== 'end';

/**
 * What a step stores — the run's new state, the step record (the event as applied, its trace,
 * its actions, the variables if they changed) and the outbox — from the interpreter's result.
 * `applied` is the event (or, at the start, the trigger) as the interpreter saw it.
 */
export function stepWrite(
  r: StepResult,
  event: { id: string; type: string; operationContext?: string },
  receivedAt: number,
  applied: unknown,
  before: RunState | undefined,
  deadline: number | null,
): StepWrite {
  return {
    // The interpreter copies vars on write, so a new object is a change.
    vars: before && before.vars === r.state.vars ? undefined : r.state.vars,
    event: applied,
    ...(event.operationContext ? { operationContext: event.operationContext } : {}),
    state: r.state,
    deadline,
    eventId: event.id,
    eventType: event.type,
    receivedAt,
    trace: r.trace,
    actions: r.actions,
    outbox: r.actions.filter(isAcsAction),
    callConnectionId: r.state.call.callConnectionId || undefined,
  };
}

/**
 * The call runtime's business sequence: load the run, let the pure interpreter decide, store the
 * step, then send its actions — and turn each answer into the next event. The mechanisms behind
 * each part have files of their own: StepApplier (locking, the optimistic path), RunCache,
 * ActionSender (executors), SentMarks, OutboxDispatcher and Reconciler (the loops).
 */
@Injectable()
export class RuntimeService {
  constructor(
    private readonly flows: FlowCache,
    private readonly repo: RuntimeRepository,
    private readonly applier: StepApplier,
    private readonly cache: RunCache,
    private readonly sender: ActionSender,
    private readonly sentMarks: SentMarks,
    private readonly events: RunEvents,
    private readonly metrics: MetricsService,
    private readonly environment: EnvironmentService,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Logger for one call: every line carries runId, callConnectionId, correlationId (and test: true). */
  callLogger(
    runId: string,
    state?: RunState | { call?: Partial<RunState['call']> },
    test?: boolean,
  ): Logger {
    return this.logger.child({
      runId,
      callConnectionId: state?.call?.callConnectionId || undefined,
      correlationId: state?.call?.correlationId || undefined,
      test: test || undefined,
    });
  }

  /**
   * The deadline column (real time): the interpreter's wait, scaled and capped, plus a margin.
   * The interpreter's times are the run's clock (a test run's is shifted by `clockOffsetMs`).
   */
  deadlineFor(state: RunState, clockOffsetMs = 0): number | null {
    const a = state.status === 'running' ? state.awaiting : undefined;
    if (!a) return null;
    const rt = this.config.runtime;
    const wait = Math.min((a.deadline - a.since) * rt.timeScale, rt.maxWaitSeconds * 1000);
    return a.since - clockOffsetMs + wait + rt.waitMarginMs;
  }

  private toWrite(
    r: StepResult,
    event: { id: string; type: string; operationContext?: string },
    receivedAt: number,
    applied: unknown,
    before: RunState | undefined,
    clockOffsetMs: number,
  ): StepWrite {
    return stepWrite(
      r,
      event,
      receivedAt,
      applied,
      before,
      this.deadlineFor(r.state, clockOffsetMs),
    );
  }

  /** Starts a run (incoming call or API): decide, store it with its first actions, send them. */
  async startRun(
    input: StartRunInput,
  ): Promise<{ runId: string; created: boolean; state: RunState }> {
    const compiled = this.flows.put(input.flowVersionId, input.document);
    const test = input.test ?? false;
    const clockOffsetMs = input.clockOffsetMs ?? 0;
    const result = start(compiled, input.trigger, Date.now() + clockOffsetMs, {
      stepLimit: this.config.runtime.stepLimit,
      env: await this.environment.runtimeValues(),
    });
    const runId = input.trigger.runId;
    const write = this.toWrite(
      result,
      {
        id: input.triggerEventId ?? `start:${runId}`,
        type: input.trigger.kind === 'incomingCall' ? 'IncomingCall' : 'Start',
      },
      input.receivedAt,
      input.trigger,
      undefined,
      clockOffsetMs,
    );
    const s = result.state;
    const { created, committedAt } = await this.repo.insertRun(
      {
        id: runId,
        flowId: input.flowId,
        flowVersionId: input.flowVersionId,
        version: input.version,
        direction: s.call.direction,
        fromAddress: s.call.from,
        toAddress: s.call.direction === 'outbound' ? (s.call.targets?.[0] ?? '') : s.call.to,
        startedBy: input.startedBy,
        test,
        clockOffsetMs,
      },
      write,
    );
    if (!created) return { runId, created, state: s };
    if (s.status === 'running') {
      this.cache.remember({
        id: runId,
        status: s.status,
        state: asStored(s),
        flowVersionId: input.flowVersionId,
        stepCount: 1,
        callConnectionId: null,
        test,
        clockOffsetMs,
        startedAt: new Date(committedAt),
      });
    }
    this.metrics.runsStarted.inc({ direction: s.call.direction, test: String(test) });
    this.callLogger(runId, s, test).info(
      { flowId: input.flowId, version: input.version, trigger: input.trigger.kind },
      'run started',
    );
    this.afterCommit(runId, 0, s, write.outbox, committedAt, input.receivedAt, test);
    return { runId, created, state: s };
  }

  /**
   * Applies an ACS callback (or an engine event) to its run exactly once. An event from ACS
   * never moves a test run, nor one from the test-call emulator a real run.
   */
  async apply(
    event: CallEvent,
    receivedAt: number,
    source: EventSource = 'acs',
  ): Promise<ApplyOutcome> {
    const m = event.operationContext ? CONTEXT.exec(event.operationContext) : null;
    let outcome = 'unknown' as ApplyOutcome;
    if (m?.[1]) outcome = await this.applyRouted({ runId: m[1] }, event, receivedAt, source);
    if (outcome === 'unknown' && event.callConnectionId) {
      outcome = await this.applyRouted(
        { callConnectionId: event.callConnectionId },
        event,
        receivedAt,
        source,
      );
    }
    return outcome;
  }

  /** Applies an event the engine made up (ActionResult, ActionFailed, Timeout, Cancel…). */
  async engineEvent(runId: string, event: CallEvent): Promise<ApplyOutcome> {
    try {
      return await this.applyRouted({ runId }, event, Date.now(), 'engine');
    } catch (e) {
      // The database went away: a Timeout from the reconciler will bring the run back on track.
      this.logger.error({ err: e, runId, eventId: event.id }, 'could not apply an engine event');
      return 'unknown';
    }
  }

  /** Decide the step with the pure interpreter, on the run as stored (or as this process holds it). */
  private decide(
    event: CallEvent,
    receivedAt: number,
    source: EventSource | 'engine',
    env: Readonly<Record<string, string>>,
  ) {
    return async (run: LockedRun) => {
      if (source !== 'engine' && run.test !== (source === 'testAcs')) return null;
      const flow = await this.flows.get(run.flowVersionId);
      const r = step(flow, run.state, event, Date.now() + run.clockOffsetMs, {
        stepLimit: this.config.runtime.stepLimit,
        flows: await this.flows.lookupFor(run.state, event),
        env,
      });
      const write = this.toWrite(r, event, receivedAt, event, run.state, run.clockOffsetMs);
      if (!write.callConnectionId && event.callConnectionId && !run.callConnectionId) {
        write.callConnectionId = event.callConnectionId;
      }
      return {
        write,
        value: { state: r.state, outbox: write.outbox, callConnectionId: write.callConnectionId },
      };
    };
  }

  private async applyRouted(
    route: StepRoute,
    event: CallEvent,
    receivedAt: number,
    source: EventSource | 'engine',
  ): Promise<ApplyOutcome> {
    // Read before the run is locked: the values are cached, and a read never waits in the lock.
    const env = await this.environment.runtimeValues();
    const result = await this.applier.apply(
      route,
      event.id,
      this.decide(event, receivedAt, source, env),
    );
    if (result.kind === 'applied' && result.value.state.status === 'running') {
      this.cache.remember({
        id: result.run.id,
        status: 'running',
        state: asStored(result.value.state),
        flowVersionId: result.run.flowVersionId,
        stepCount: result.seq + 1,
        callConnectionId: result.run.callConnectionId ?? result.value.callConnectionId ?? null,
        test: result.run.test,
        clockOffsetMs: result.run.clockOffsetMs,
        startedAt: result.run.startedAt,
      });
    } else {
      this.cache.forget(result.kind === 'unknown' ? (route.runId ?? '') : result.run.id);
    }
    if (result.kind !== 'applied') {
      if (result.kind === 'duplicate') this.metrics.duplicatesDropped.inc();
      else this.metrics.eventsIgnored.inc({ reason: result.kind });
      const log =
        result.kind === 'unknown' ? this.logger : this.callLogger(result.run.id, result.run.state);
      log.info(
        {
          eventId: event.id,
          type: event.type,
          outcome: result.kind,
          callConnectionId: event.callConnectionId,
        },
        result.kind === 'duplicate' ? 'duplicate event acknowledged' : 'event ignored',
      );
      return result.kind;
    }
    const { state, outbox } = result.value;
    const test = result.run.test;
    // A child logger only when a line is written (not per event at info).
    if (this.logger.isLevelEnabled('debug')) {
      this.callLogger(result.run.id, state, test).debug(
        { eventId: event.id, type: event.type, seq: result.seq, actions: outbox.length },
        'step',
      );
    }
    if (state.status === 'ended') {
      this.metrics.runsEnded.inc({ reason: state.endReason ?? 'unknown', test: String(test) });
      this.callLogger(result.run.id, state, test).info({ reason: state.endReason }, 'run ended');
    }
    this.afterCommit(
      result.run.id,
      result.seq,
      state,
      outbox,
      result.committedAt,
      receivedAt,
      test,
    );
    return 'applied';
  }

  /** After a commit: tell this process, then send the actions (in flight until answered). */
  private afterCommit(
    runId: string,
    seq: number,
    state: RunState,
    outbox: AcsAction[],
    createdAt: number,
    receivedAt: number,
    test: boolean,
  ): void {
    this.events.emit('step', runId, seq);
    if (test && state.status === 'ended') this.events.emit('testEnded', runId);
    if (outbox.length === 0) return;
    if (committedChannel.hasSubscribers) {
      committedChannel.publish({ runId, seq, actions: outbox.length } satisfies CommittedMessage);
    }
    const sent = this.sendAll(runId, state, outbox, createdAt, test).then(() => {
      this.metrics.stepLatency.observe((Date.now() - receivedAt) / 1000);
    });
    this.sender.track(sent, (e) => this.logger.error({ err: e }, 'sending actions failed'));
  }

  private async sendAll(
    runId: string,
    state: RunState,
    actions: AcsAction[],
    createdAt: number,
    test: boolean,
  ): Promise<void> {
    let callConnectionId = state.call.callConnectionId || '';
    // The outbox dispatcher takes an action over once it is outboxGraceMs old: the inline send
    // ends by three quarters of that, leaving the rest for its sent mark to be written.
    const deadline = createdAt + Math.floor((this.config.runtime.outboxGraceMs * 3) / 4);
    for (const action of actions) {
      const outcome = await this.sender.send(action, {
        runId,
        test,
        callConnectionId,
        createdAt,
        deadline,
      });
      const got = await this.answered(runId, state, action, outcome, 'inline');
      if (got) callConnectionId = got;
    }
  }

  /**
   * What an action's answer means for its run: sent (its result may carry what the run waits
   * for — a call connection id, an invitation id, or the completion itself) or failed (the node
   * takes its failure outcome). Returns a call connection id the answer revealed.
   *
   * The result is applied before the action is marked sent: a result the database could not
   * take is tried again (inline), or the outbox row stays for the dispatcher, whose resend ACS
   * answers with the same result (same Repeatability-Request-ID). Lost, it would leave the run
   * not knowing the call it answered — and rejecting a call that was answered.
   */
  private async answered(
    runId: string,
    state: RunState | undefined,
    action: AcsAction,
    outcome: SendOutcome,
    path: 'inline' | 'outbox',
    markSent: (id: string) => unknown = (id) => this.sentMarks.mark(id),
  ): Promise<string | undefined> {
    const apply = (event: CallEvent) =>
      path === 'inline' ? this.applyDurably(runId, event) : this.applyOnce(runId, event);
    if (outcome.ok) {
      this.metrics.actionsSent.inc({ kind: action.kind, path });
      const r = outcome.result;
      if (r?.event) {
        // The answer is itself the event the node waits for (an HTTP response).
        await apply({
          ...r.event,
          id: `result:${action.id}`,
          operationContext: action.operationContext,
        });
      } else if (r && (r.callConnectionId || r.invitationId || r.completes || r.subflow)) {
        await apply({
          id: `result:${action.id}`,
          type: 'ActionResult',
          operationContext: action.operationContext,
          ...(r.callConnectionId ? { callConnectionId: r.callConnectionId } : {}),
          ...(r.invitationId ? { invitationId: r.invitationId } : {}),
          ...(r.subflow ? { subflow: r.subflow } : {}),
          resultInformation: { code: 200 },
        });
      }
      await markSent(action.id);
      return r?.callConnectionId;
    }
    this.metrics.acsErrors.inc({ status: String(outcome.status ?? 'none'), code: outcome.code });
    this.callLogger(runId, state).warn(
      {
        action: action.kind,
        actionId: action.id,
        status: outcome.status,
        code: outcome.code,
        message: outcome.message,
      },
      'ACS action failed',
    );
    if (unsentYet(outcome) && path === 'inline') {
      // No answer at all, or throttled (429: ACS did nothing): leave it in the outbox; the
      // dispatcher resends it with the same Repeatability-Request-ID after the grace period.
      // (A run that ended with this action — a final hang-up — would otherwise never learn it
      // failed, and the app would stay in the call.)
      await this.repo
        .markAttempt(action.id, `${outcome.code}: ${outcome.message}`)
        .catch(() => undefined);
      return undefined;
    }
    await apply({
      id: `failed:${action.id}`,
      type: 'ActionFailed',
      operationContext: action.operationContext,
      resultInformation: {
        ...(outcome.status !== undefined ? { code: outcome.status } : {}),
        ...(/^\d+$/.test(outcome.code) ? { subCode: Number(outcome.code) } : {}),
        message: `${outcome.code}: ${outcome.message}`,
      },
    });
    await markSent(action.id);
    return undefined;
  }

  /** Applies an engine event once; a database error is thrown (the caller's transaction rolls back). */
  private async applyOnce(runId: string, event: CallEvent): Promise<void> {
    await this.applyRouted({ runId }, event, Date.now(), 'engine');
  }

  /**
   * Applies an engine event, trying again while the database is away, until it is applied or
   * this process stops — then the action's outbox row, not yet marked sent, brings it back.
   */
  private async applyDurably(runId: string, event: CallEvent): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.applyRouted({ runId }, event, Date.now(), 'engine');
        return;
      } catch (e) {
        if (this.stopping) throw e;
        if (attempt === 0) {
          this.logger.warn({ err: e, runId, eventId: event.id }, 'could not apply; retrying');
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
  }

  /**
   * Sends outbox rows committed but never (known to be) sent — by another process, or this one
   * before a crash — and records their answers like inline sends (the outbox dispatcher's work).
   */
  async resend(
    rows: OutboxRow[],
    markSent: (id: string) => Promise<unknown>,
    markAttempt: (id: string, error: string) => Promise<unknown>,
    isAcknowledged: (id: string) => Promise<boolean> = () => Promise.resolve(false),
  ): Promise<void> {
    for (const row of rows) {
      const log = this.logger.child({
        runId: row.runId,
        callConnectionId: row.callConnectionId ?? undefined,
      });
      // Asked again per row: the batch was read before the sends ahead of this one.
      if (row.acknowledged || (await isAcknowledged(row.id))) {
        // Sent before a crash lost its "sent" mark, and already answered: sending it again
        // could repeat it (media operations carry no Repeatability-Request-ID in ACS) long
        // after the run moved on.
        log.info({ actionId: row.id, action: row.action.kind }, 'outbox: already acknowledged');
        await markSent(row.id);
        continue;
      }
      log.info(
        { actionId: row.id, action: row.action.kind, attempts: row.attempts },
        'outbox: resending action',
      );
      const outcome = await this.sender.send(row.action, {
        runId: row.runId,
        test: row.test,
        callConnectionId: row.callConnectionId ?? '',
        createdAt: row.createdAt.getTime(),
      });
      if (unsentYet(outcome) && row.attempts < 5) {
        await markAttempt(row.id, `${outcome.code}: ${outcome.message}`);
        continue;
      }
      try {
        await this.answered(row.runId, undefined, row.action, outcome, 'outbox', markSent);
      } catch (e) {
        // Its result could not be applied: the row stays, and the next round sends it again
        // (the same Repeatability-Request-ID; ACS answers with the same result).
        log.warn({ err: e, actionId: row.id }, 'outbox: could not apply the answer; keeping it');
      }
    }
  }

  /** Set by drain(): results still waiting for the database are left to the outbox. */
  private stopping = false;

  /** Waits for sends in flight and writes the sent marks (graceful shutdown). */
  async drain(): Promise<void> {
    this.stopping = true;
    await this.sender.drain();
    await this.sentMarks.flush();
    this.sentMarks.close();
  }
}

/** An action ACS did not act on and may take later: no answer at all, or throttled (429). */
function unsentYet(outcome: SendOutcome): outcome is Extract<SendOutcome, { ok: false }> {
  return (
    !outcome.ok && outcome.retryable && (outcome.status === undefined || outcome.status === 429)
  );
}
