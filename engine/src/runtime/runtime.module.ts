import { Module } from '@nestjs/common';
import { AcsExecutor } from '../acs/acs.executor.js';
import { AcsModule } from '../acs/acs.module.js';
import { FlowsModule } from '../flows/flows.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { HttpRequestExecutor } from '../http/http-request.executor.js';
import { ACTION_EXECUTORS } from './action-executor.js';
import { ActionSender } from './action-sender.js';
import { FlowCache } from './flow-cache.js';
import { OutboxDispatcher } from './outbox-dispatcher.js';
import { Reconciler } from './reconciler.js';
import { RunCache } from './run-cache.js';
import { RunEvents } from './run-events.js';
import { RuntimeDb } from './runtime-db.js';
import { RuntimeGauges } from './runtime-gauges.js';
import { RuntimeRepository } from './runtime.repository.js';
import { RuntimeService } from './runtime.service.js';
import { SentMarks } from './sent-marks.js';
import { StepApplier } from './step-applier.js';
import { SubflowExecutor } from './subflow.executor.js';

/**
 * The call runtime: apply events exactly once (StepApplier), send actions through their
 * executors (ActionSender; ACS is one), and the background loops (OutboxDispatcher, Reconciler,
 * RuntimeGauges). The runs API lives in runs/.
 */
@Module({
  imports: [AcsModule, FlowsModule, MetricsModule],
  providers: [
    RuntimeDb,
    RuntimeRepository,
    FlowCache,
    RunCache,
    RunEvents,
    StepApplier,
    SentMarks,
    SubflowExecutor,
    HttpRequestExecutor,
    {
      provide: ACTION_EXECUTORS,
      useFactory: (acs: AcsExecutor, subflows: SubflowExecutor, http: HttpRequestExecutor) => [
        acs,
        subflows,
        http,
      ],
      inject: [AcsExecutor, SubflowExecutor, HttpRequestExecutor],
    },
    ActionSender,
    RuntimeService,
    OutboxDispatcher,
    Reconciler,
    RuntimeGauges,
  ],
  exports: [
    RuntimeService,
    RunEvents,
    OutboxDispatcher,
    Reconciler,
    RuntimeGauges,
    // For replays: compiled versions, and the pool that reads thousands of steps at once.
    FlowCache,
    RuntimeDb,
  ],
})
export class RuntimeModule {}
