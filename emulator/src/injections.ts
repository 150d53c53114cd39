/**
 * Result-code injection: "the next play on this call fails with 400/8536". A test queues a
 * failure for one operation, on one call or on whichever call does it next; the operation then
 * ends with its own failure event carrying that resultInformation, the way the service reports
 * a failure it found after accepting the request. Unlike the fault injector (random HTTP
 * errors, dropped callbacks) this is deterministic and speaks ACS result codes.
 */
import type { CallbackEventType } from './api-registry.js';
import type { ResultInformation } from './result-codes.js';

/** What can be made to fail, and the event its failure is reported with. */
export const INJECTABLE = {
  answer: 'AnswerFailed',
  createCall: 'CreateCallFailed',
  connect: 'ConnectFailed',
  transfer: 'CallTransferFailed',
  addParticipant: 'AddParticipantFailed',
  removeParticipant: 'RemoveParticipantFailed',
  cancelAddParticipant: 'CancelAddParticipantFailed',
  moveParticipants: 'MoveParticipantFailed',
  play: 'PlayFailed',
  recognize: 'RecognizeFailed',
  hold: 'HoldFailed',
  sendDtmfTones: 'SendDtmfTonesFailed',
  continuousDtmfRecognition: 'ContinuousDtmfRecognitionToneFailed',
} as const satisfies Record<string, CallbackEventType>;

export type InjectableOperation = keyof typeof INJECTABLE;

export const INJECTABLE_OPERATIONS = Object.keys(INJECTABLE) as InjectableOperation[];

/** A queued failure, as the control API lists it. */
export interface InjectedResult extends ResultInformation {
  operation: InjectableOperation;
  /** How many more operations it fails. */
  times: number;
  /** Absent: the next call that does the operation, whichever it is. */
  serverCallId?: string;
}

export class ResultInjector {
  private readonly byCall = new Map<string, InjectedResult[]>();
  private readonly anyCall: InjectedResult[] = [];

  add(injection: InjectedResult): InjectedResult {
    const entry = { ...injection };
    if (entry.serverCallId === undefined) {
      this.anyCall.push(entry);
    } else {
      const list = this.byCall.get(entry.serverCallId) ?? [];
      list.push(entry);
      this.byCall.set(entry.serverCallId, list);
    }
    return { ...entry };
  }

  /** Uses up one pending failure of `operation` for this call (its own before resource-wide). */
  take(serverCallId: string, operation: InjectableOperation): ResultInformation | undefined {
    const own = this.byCall.get(serverCallId);
    const entry =
      own?.find((e) => e.operation === operation) ??
      this.anyCall.find((e) => e.operation === operation);
    if (!entry) return undefined;
    if (--entry.times <= 0) {
      const list = entry.serverCallId === undefined ? this.anyCall : own!;
      list.splice(list.indexOf(entry), 1);
      if (own?.length === 0) this.byCall.delete(serverCallId);
    }
    return { code: entry.code, subCode: entry.subCode, message: entry.message };
  }

  list(): InjectedResult[] {
    return [...this.anyCall, ...[...this.byCall.values()].flat()].map((e) => ({ ...e }));
  }

  clear(): void {
    this.anyCall.length = 0;
    this.byCall.clear();
  }

  /** A call no longer kept needs none of its pending failures. */
  forget(serverCallId: string): void {
    this.byCall.delete(serverCallId);
  }
}
