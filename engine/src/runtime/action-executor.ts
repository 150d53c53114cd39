import type { AcsAction, CallEvent, SubflowVersion } from '@switchboard/flow';

/** What sending one action produced; the runtime turns it into an ActionResult/ActionFailed event. */
export type SendOutcome =
  | { ok: true; result?: ActionResultData }
  | { ok: false; status?: number; code: string; message: string; retryable: boolean };

export interface ActionResultData {
  callConnectionId?: string;
  invitationId?: string;
  /** The answer completed the operation (mute, hold, unhold): no callback follows. */
  completes?: boolean;
  /** A resolveSubflow's answer: the version the subflow node calls. */
  subflow?: SubflowVersion;
  /**
   * The answer is itself the event the node waits for (an HTTP request's response, failure or
   * timeout): applied as the event `result:<action id>`, so a resend's answer is a duplicate.
   */
  event?: Pick<CallEvent, 'type' | 'http' | 'resultInformation'>;
}

/** Where an action goes, as its run knows it. */
export interface ActionTarget {
  runId: string;
  /** A test call's run (its ACS is the test-call emulator). */
  test: boolean;
  callConnectionId: string;
  /** The action's commit time (ms): a resend carries the same, so it is applied once. */
  createdAt: number;
  /**
   * When (epoch ms) an inline send must be over, retries included: from a little later on the
   * outbox dispatcher of any replica may send the action again, and ACS cannot deduplicate media
   * operations. An executor that cannot finish by then gives up without sending (or abandons
   * its request) and answers "no answer", leaving the action to the dispatcher. Unset for the
   * dispatcher's own sends: they hold the outbox row's lock.
   */
  deadline?: number;
}

/**
 * Executes one kind of action: the ACS gateway executes the call-control and media actions;
 * new kinds (an HTTP request, a recording) register their own executor with ACTION_EXECUTORS,
 * without touching the ACS code. Never throws: every failure is a SendOutcome.
 */
export interface ActionExecutor {
  readonly kinds: readonly AcsAction['kind'][];
  execute(action: AcsAction, target: ActionTarget): Promise<SendOutcome>;
}

/** Injection token: the executors the action sender dispatches to (a Nest multi-provider list). */
export const ACTION_EXECUTORS = Symbol('ACTION_EXECUTORS');
