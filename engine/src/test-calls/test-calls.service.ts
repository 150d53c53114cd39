import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { compileFlow, type FlowDocument, type RunTrigger } from '@switchboard/flow';
import { TestAcs } from '../acs/test-acs.js';
import type { Principal } from '../auth/principal.js';
import { notFound, ProblemException } from '../common/problem.js';
import { ENGINE_CONFIG, type EngineConfig } from '../config/config.js';
import { FlowsRepository } from '../flows/flows.repository.js';
import { FlowTargets } from '../flows/flow-targets.js';
import { PrismaService } from '../database/prisma.service.js';
import { LOGGER, type Logger } from '../logging/logger.js';
import { RunsQueryRepository } from '../runs/runs-query.repository.js';
import type { RunDetailDto } from '../runs/runs.schemas.js';
import { RunsService } from '../runs/runs.service.js';
import { RunEvents } from '../runtime/run-events.js';
import { RuntimeService } from '../runtime/runtime.service.js';
import type { TestCallRequest, TestInput } from './test-calls.schemas.js';
import { TestRunsRepository } from './test-runs.repository.js';

const DEFAULT_CALLER = '+15551230000';
/** Dialled by an incoming test call of a flow that has no entry point yet. */
const DEFAULT_DIALLED = '+15550100000';

const invalidField = (path: string, message: string) =>
  new ProblemException(400, 'validation-error', `${path}: ${message}`, {
    errors: [{ path, message }],
  });

/**
 * Test calls: a run of the saved draft or of a version, placed in the test-call emulator
 * (TestAcs), never through an entry point. The caller is simulated: a script, or live input.
 */
@Injectable()
export class TestCallsService implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Per user, the check of running test calls and the start happen one at a time. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly snapshots = new Set<NodeJS.Timeout>();

  constructor(
    private readonly flows: FlowsRepository,
    private readonly targets: FlowTargets,
    private readonly prisma: PrismaService,
    private readonly repo: TestRunsRepository,
    private readonly runsQuery: RunsQueryRepository,
    private readonly runs: RunsService,
    private readonly runtime: RuntimeService,
    private readonly events: RunEvents,
    private readonly testAcs: TestAcs,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.events.on('testEnded', (runId: string) => this.keepTestCall(runId));
  }

  onApplicationShutdown(): void {
    for (const t of this.snapshots) clearTimeout(t);
  }

  async start(flowId: string, input: TestCallRequest, by: Principal): Promise<RunDetailDto> {
    const target = await this.targets.resolve(flowId, input, 'testing it');
    const document = target.document;
    // A test of the draft keeps the revision it walked, whatever the draft becomes.
    const flowVersionId = target.draft
      ? await this.flows.snapshotDraft(flowId, target.draftRevision, document, by.actor)
      : target.flowVersionId;
    const version = target.draft ? 0 : target.version;
    const direction = compileFlow(document).trigger?.desc.trigger;
    if (!direction) {
      throw new ProblemException(422, 'invalid-flow', 'The flow has no trigger node to start from');
    }
    return this.oneAtATime(by.actor, async () => {
      const running = await this.repo.runningFor(by.actor);
      const max = this.config.testCalls.maxRunningPerUser;
      if (running >= max) {
        throw new ProblemException(
          429,
          'too-many-test-calls',
          `You have ${running} test calls running (at most ${max}); hang one up or wait for it to end`,
          { retryAfter: 10 },
        );
      }
      const runId = randomUUID();
      const clockOffsetMs = input.clock ? Date.parse(input.clock) - Date.now() : 0;
      const base = {
        flowId,
        flowVersionId,
        version,
        document,
        startedBy: by.actor,
        test: true,
        clockOffsetMs,
      };
      const trigger =
        direction === 'incoming'
          ? await this.placeIncoming(runId, flowId, input)
          : await this.prepareOutbound(runId, document, input);
      try {
        await this.runtime.startRun({
          ...base,
          trigger,
          triggerEventId: `test:${runId}`,
          receivedAt: Date.now(),
        });
      } catch (e) {
        if (trigger.kind === 'incomingCall' && trigger.serverCallId) {
          await (await this.testAcs.control()).hangup(trigger.serverCallId).catch(() => undefined);
        }
        throw e;
      }
      this.runtime
        .callLogger(runId, undefined, true)
        .info({ flowId, version, by: by.actor, clock: input.clock }, 'test call placed');
      return this.runs.get(runId);
    });
  }

  /** The simulated caller dials in: the emulator rings, the run answers it like any call. */
  private async placeIncoming(
    runId: string,
    flowId: string,
    input: TestCallRequest,
  ): Promise<RunTrigger> {
    const from = input.from ?? DEFAULT_CALLER;
    const to =
      input.to ??
      (await this.flows.entryPointAddresses(this.prisma, flowId))[0]?.address ??
      DEFAULT_DIALLED;
    const control = await this.testAcs.control();
    const placed = await control.placeCall({
      from,
      to,
      ...(input.callerScript ? { script: input.callerScript } : {}),
      ...(input.targets
        ? {
            endpoints: Object.fromEntries(
              Object.entries(input.targets).map(([t, onInvite]) => [t.trim(), { onInvite }]),
            ),
          }
        : {}),
    });
    return {
      kind: 'incomingCall',
      runId,
      from,
      to,
      correlationId: placed.correlationId,
      serverCallId: placed.serverCallId,
      incomingCallContext: placed.incomingCallContext,
      ...(input.variables ? { variables: input.variables } : {}),
    };
  }

  /**
   * The flow calls the simulated person (`to`, else the trigger's own targets), who answers as
   * `targets` says (accept by default) and then follows the caller script.
   */
  private async prepareOutbound(
    runId: string,
    document: FlowDocument,
    input: TestCallRequest,
  ): Promise<RunTrigger> {
    const configured = (compileFlow(document).trigger?.config as { targets?: string[] } | undefined)
      ?.targets;
    const targets = input.to ? [input.to] : (configured ?? []);
    if (targets.length === 0) {
      throw invalidField(
        'to',
        'this flow calls the number given at start: give the number to call',
      );
    }
    const control = await this.testAcs.control();
    // The test-call emulator is this engine's own: endpoint behaviours set here reach no real
    // phone; two test calls to the same number at once share the last behaviour set.
    for (const [i, t] of targets.entries()) {
      await control.setEndpoint(t, {
        onInvite: input.targets?.[t] ?? 'accept',
        ...(i === 0 && input.callerScript ? { script: input.callerScript } : {}),
      });
    }
    for (const [t, onInvite] of Object.entries(input.targets ?? {})) {
      if (!targets.includes(t)) await control.setEndpoint(t.trim(), { onInvite });
    }
    return {
      kind: 'outbound',
      runId,
      targets,
      ...(input.from ? { callerId: input.from } : {}),
      ...(input.variables ? { variables: input.variables } : {}),
    };
  }

  /** Live input of an interactive test call: keys, speech, or the caller hanging up. */
  async input(runId: string, input: TestInput): Promise<void> {
    const run = await this.runsQuery.find(runId);
    if (!run) throw notFound(`Run ${runId}`);
    if (!run.test) {
      throw new ProblemException(
        409,
        'not-a-test-call',
        `Run ${runId} is a real call, not a test call`,
      );
    }
    if (run.status !== 'running') {
      throw new ProblemException(409, 'test-call-ended', `The test call ${runId} has ended`);
    }
    const state = run.state as { call?: { serverCallId?: string } };
    const person = run.direction === 'outbound' ? run.toAddress : run.fromAddress;
    const view = await this.testAcs.describe(
      {
        ...(state.call?.serverCallId ? { serverCallId: state.call.serverCallId } : {}),
        callConnectionId: run.callConnectionId,
      },
      person,
    );
    const serverCallId = view?.serverCallId;
    if (!serverCallId || view.state === 'disconnected') {
      throw new ProblemException(
        409,
        'test-call-ended',
        `The test call ${runId} is not connected in the test-call emulator`,
      );
    }
    const control = await this.testAcs.control();
    try {
      if (input.dtmf) await control.dtmf(serverCallId, input.dtmf, person);
      if (input.say) await control.say(serverCallId, input.say, person);
      if (input.hangUp) await control.hangup(serverCallId, person);
    } catch (e) {
      const status = (e as { status?: number }).status;
      const body = (e as { body?: { error?: { message?: string } } }).body;
      if (status === 400 || status === 404) {
        throw new ProblemException(
          409,
          'test-call-not-ready',
          `The test call cannot take that now: ${body?.error?.message ?? 'the caller is not in the call'}`,
        );
      }
      throw e;
    }
  }

  /**
   * Keeps the emulator's view of an ended test call with the run (the emulator is memory only),
   * once the emulator has let the call go — ACS reports the last participants shortly after the
   * app hangs up.
   */
  private keepTestCall(runId: string, attempt = 0): void {
    const t = setTimeout(() => {
      this.snapshots.delete(t);
      void this.runs
        .get(runId)
        .then((run) => {
          if (run.testCall?.state !== 'disconnected' && attempt < 20) {
            this.keepTestCall(runId, attempt + 1);
          }
        })
        .catch((e: unknown) => this.logger.debug({ err: e, runId }, 'test call: not kept'));
    }, 500);
    t.unref();
    this.snapshots.add(t);
  }

  private oneAtATime<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(task);
    const tail = next.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return next;
  }
}
