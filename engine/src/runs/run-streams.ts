import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Request, Response } from 'express';
import { LOGGER, type Logger } from '../logging/logger.js';
import { RunEvents } from '../runtime/run-events.js';
import { type Masker, RunMasker } from './run-masker.js';
import { RunsQueryRepository } from './runs-query.repository.js';
import { toStepDto } from './runs.service.js';

const POLL_MS = 1000;
/** Live streams one principal may hold open at once (each holds a connection). */
export const MAX_STREAMS_PER_PRINCIPAL = 20;

interface Subscriber {
  runId: string;
  owner: string;
  /** Whether the run was seen to have ended (a stream of an ended run ends too). */
  checkedEnd: boolean;
  lastSeq: number;
  res: Response;
  busy: boolean;
  again: boolean;
  closed: boolean;
  /** Masks what the run's sensitive nodes collected (set up on the first pump). */
  mask: Masker | undefined;
  /** The run's variables after lastSeq (steps store them only when they change); undefined: not read yet. */
  vars: Record<string, string> | undefined;
}

/**
 * Live steps over SSE without NOTIFY in the step transaction: this process's commits wake
 * subscribers through an in-process emitter; a cheap poll (by run id and seq, the step table's
 * primary key) picks up steps committed by other replicas.
 */
@Injectable()
export class RunStreams implements OnApplicationShutdown {
  private readonly byRun = new Map<string, Set<Subscriber>>();
  private readonly poll: NodeJS.Timeout;

  constructor(
    private readonly repo: RunsQueryRepository,
    private readonly masker: RunMasker,
    events: RunEvents,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    events.on('step', (runId: string) => {
      for (const s of this.byRun.get(runId) ?? []) void this.pump(s);
    });
    this.poll = setInterval(() => {
      for (const set of this.byRun.values()) for (const s of set) void this.pump(s);
    }, POLL_MS);
    this.poll.unref();
  }

  /** Open streams of `owner`, for the per-principal cap. */
  openBy(owner: string): number {
    let n = 0;
    for (const set of this.byRun.values()) for (const s of set) if (s.owner === owner) n++;
    return n;
  }

  open(runId: string, afterSeq: number, owner: string, req: Request, res: Response): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    const s: Subscriber = {
      runId,
      owner,
      checkedEnd: false,
      mask: undefined,
      lastSeq: afterSeq,
      res,
      busy: false,
      again: false,
      closed: false,
      vars: afterSeq < 0 ? {} : undefined,
    };
    let set = this.byRun.get(runId);
    if (!set) this.byRun.set(runId, (set = new Set()));
    set.add(s);
    const close = () => this.close(s);
    req.on('close', close);
    res.on('close', close);
    void this.pump(s);
  }

  private close(s: Subscriber): void {
    if (s.closed) return;
    s.closed = true;
    const set = this.byRun.get(s.runId);
    set?.delete(s);
    if (set?.size === 0) this.byRun.delete(s.runId);
    if (!s.res.writableEnded) s.res.end();
  }

  private async pump(s: Subscriber): Promise<void> {
    if (s.closed) return;
    if (s.busy) {
      s.again = true;
      return;
    }
    s.busy = true;
    try {
      do {
        s.again = false;
        s.vars ??= await this.repo.varsAt(s.runId, s.lastSeq);
        if (!s.mask) {
          const run = await this.repo.find(s.runId);
          s.mask = await this.masker.forVersion(run?.flowVersionId ?? '');
          // A resumed stream has not seen the earlier steps' actions: replay them for the mask.
          if (s.mask.active && s.lastSeq >= 0) {
            for (const earlier of await this.repo.stepsAfter(s.runId, -1, s.lastSeq + 1)) {
              s.mask.step(toStepDto(earlier, {}));
            }
          }
        }
        const rows = await this.repo.stepsAfter(s.runId, s.lastSeq);
        for (const row of rows) {
          if (s.closed) return;
          s.lastSeq = row.seq;
          if (row.vars) s.vars = row.vars;
          const data = JSON.stringify(s.mask.step(toStepDto(row, s.vars)));
          s.res.write(`id: ${row.seq}\nevent: step\ndata: ${data}\n\n`);
          if ((row.actions as { kind?: string }[]).some((a) => a.kind === 'end')) {
            s.res.write(`event: end\ndata: {}\n\n`);
            this.close(s);
            return;
          }
        }
        if (rows.length === 100) s.again = true;
        if (rows.length === 0 && !s.checkedEnd) {
          // Opened after the run's last step (Last-Event-ID, ?after): nothing will come.
          s.checkedEnd = true;
          if ((await this.repo.find(s.runId))?.status === 'ended') {
            s.res.write(`event: end\ndata: {}\n\n`);
            this.close(s);
            return;
          }
        }
      } while (s.again && !s.closed);
    } catch (e) {
      this.logger.debug({ err: e, runId: s.runId }, 'run stream: poll failed');
    } finally {
      s.busy = false;
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.poll);
    for (const set of this.byRun.values()) for (const s of set) this.close(s);
  }
}
