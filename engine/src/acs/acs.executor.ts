import { Injectable } from '@nestjs/common';
import type { AcsAction } from '@switchboard/flow';
import type { ActionExecutor, ActionTarget, SendOutcome } from '../runtime/action-executor.js';
import { AcsGateway, type CallProbe } from './acs.gateway.js';
import { TestAcs } from './test-acs.js';

/** Every action kind the ACS gateway sends (checked against the flow package's AcsAction). */
const ACS_ACTION_KINDS = [
  'answerCall',
  'rejectCall',
  'redirectCall',
  'createCall',
  'transferCall',
  'addParticipant',
  'cancelAddParticipant',
  'removeParticipant',
  'muteParticipant',
  'hold',
  'unhold',
  'hangUp',
  'play',
  'recognizeDtmf',
] as const satisfies readonly AcsAction['kind'][];
/** Action kinds other executors handle (they are no ACS operation). */
type NotForAcs = 'resolveSubflow' | 'httpRequest';
// Every AcsAction kind is listed: adding one to the flow package without a sender fails here.
type Missing = Exclude<AcsAction['kind'], (typeof ACS_ACTION_KINDS)[number] | NotForAcs>;
const everyKind: Missing extends never ? true : Missing = true;
void everyKind;

/**
 * The runtime's executor for call-control and media actions: ACS through its gateway, or, for a
 * test call's run, the test-call emulator's gateway (TestAcs). Also answers the reconciler's
 * "is this call still there?" the same way.
 */
@Injectable()
export class AcsExecutor implements ActionExecutor {
  readonly kinds = ACS_ACTION_KINDS;

  constructor(
    private readonly gateway: AcsGateway,
    private readonly testAcs: TestAcs,
  ) {}

  private async gatewayFor(test: boolean): Promise<AcsGateway> {
    return test ? this.testAcs.gateway() : this.gateway;
  }

  async execute(action: AcsAction, target: ActionTarget): Promise<SendOutcome> {
    const gateway = await this.gatewayFor(target.test);
    return gateway.send(action, target.callConnectionId, target.createdAt, target.deadline);
  }

  async probe(test: boolean, callConnectionId: string): Promise<CallProbe> {
    return (await this.gatewayFor(test)).probe(callConnectionId);
  }
}
