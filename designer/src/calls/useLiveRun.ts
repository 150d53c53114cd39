import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, type RunDetail, type RunStep } from '../api/client.js';

/** Detail fetches after a test run ended while its call still has people in it. */
const SETTLE_POLLS = 15;

/** Steps by seq, in order; returns `current` itself when `incoming` adds nothing new. */
export function mergeSteps(current: RunStep[], incoming: readonly RunStep[]): RunStep[] {
  if (incoming.length === 0) return current;
  const last = current.at(-1)?.seq ?? -1;
  if (incoming.every((s, i) => s.seq > last && (i === 0 || s.seq > incoming[i - 1]!.seq))) {
    return [...current, ...incoming];
  }
  const known = new Set(current.map((s) => s.seq));
  const added = incoming.filter((s) => !known.has(s.seq));
  if (added.length === 0) return current;
  return [...current, ...added].sort((a, b) => a.seq - b.seq);
}

export interface LiveRun {
  run: RunDetail | undefined;
  /** The run's steps, kept in seq order; the same array while nothing new arrived. */
  steps: RunStep[];
  error: string | undefined;
  /** Fetch the detail now (after sending input, say). */
  refresh(): void;
}

/**
 * A run's detail, followed live while it runs: its steps from the SSE stream (`event: step`,
 * then `event: end`), and the detail re-fetched every `pollMs` for what the stream does not carry
 * (a test call's participants and what the caller heard). Steps the stream replays are dropped by
 * seq, and stream steps are applied at most once per animation frame, so a burst re-renders once.
 */
export function useLiveRun(
  runId: string | undefined,
  options: { initial?: RunDetail; pollMs?: number } = {},
): LiveRun {
  const given = options.initial?.id === runId ? options.initial : undefined;
  const [run, setRun] = useState<RunDetail | undefined>(given);
  const [steps, setSteps] = useState<RunStep[]>(() => (given ? mergeSteps([], given.steps) : []));
  const [error, setError] = useState<string>();
  // A new run id starts over, with the detail the caller already has if it is this run's.
  const [tracked, setTracked] = useState(runId);
  if (tracked !== runId) {
    setTracked(runId);
    setRun(given);
    setSteps(given ? mergeSteps([], given.steps) : []);
    setError(undefined);
  }
  const generation = useRef(0);
  const pollMs = options.pollMs;

  const fetchDetail = useCallback(async (id: string, gen: number) => {
    try {
      const detail = await api.getRun(id);
      if (gen !== generation.current) return;
      setRun(detail);
      setSteps((current) => mergeSteps(current, detail.steps));
      setError(undefined);
    } catch (e) {
      if (gen !== generation.current) return;
      setError(e instanceof ApiError ? e.describe() : String(e));
    }
  }, []);

  const hasDetail = Boolean(given);
  useEffect(() => {
    const gen = ++generation.current;
    if (runId && !hasDetail) void fetchDetail(runId, gen);
  }, [runId, hasDetail, fetchDetail]);

  const current = run?.id === runId ? run : undefined;
  const running = current?.status === 'running';
  const test = Boolean(current?.test);

  // The stream, while the run runs.
  useEffect(() => {
    if (!runId || !running || typeof EventSource === 'undefined') return;
    const gen = generation.current;
    const source = new EventSource(api.runStreamUrl(runId));
    let buffer: RunStep[] = [];
    let frame: number | undefined;
    const flush = () => {
      frame = undefined;
      const batch = buffer;
      buffer = [];
      if (gen === generation.current) setSteps((known) => mergeSteps(known, batch));
    };
    source.addEventListener('step', (event) => {
      try {
        buffer.push(JSON.parse((event as MessageEvent<string>).data) as RunStep);
      } catch {
        return;
      }
      frame ??= requestAnimationFrame(flush);
    });
    source.addEventListener('end', () => {
      // The server closes the stream now; without this the EventSource would reconnect.
      source.close();
      if (frame !== undefined) cancelAnimationFrame(frame);
      flush();
      void fetchDetail(runId, gen);
    });
    return () => {
      source.close();
      if (frame !== undefined) cancelAnimationFrame(frame);
    };
  }, [runId, running, fetchDetail]);

  // The detail, while the run runs: often for a test call (its participants change without a
  // step), rarely otherwise (the stream carries the steps; this catches a dropped stream). A test
  // call can outlive its run (the flow left, the caller still talks to an agent): its
  // participants are followed a while longer, until the emulator lets the call go.
  const settling = Boolean(
    current && !running && current.testCall && current.testCall.state !== 'disconnected',
  );
  useEffect(() => {
    if (!runId || !(running || settling)) return;
    const gen = generation.current;
    const every = pollMs ?? (test ? 1000 : 5000);
    let left = SETTLE_POLLS;
    const timer = setInterval(() => {
      if (!running && --left < 0) {
        clearInterval(timer);
        return;
      }
      if (!document.hidden) void fetchDetail(runId, gen);
    }, every);
    return () => clearInterval(timer);
  }, [runId, running, settling, test, pollMs, fetchDetail]);

  const refresh = useCallback(() => {
    if (runId) void fetchDetail(runId, generation.current);
  }, [runId, fetchDetail]);

  return { run: current, steps: tracked === runId ? steps : [], error, refresh };
}
