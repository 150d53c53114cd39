import { badRequest } from './errors.js';
import { Results, type ResultInformation } from './errors.js';
import { parseIdentifierModel, parseTones } from './identifiers.js';
import type { Scheduler, TimerHandle } from './scheduler.js';

export interface MediaTiming {
  /** Emulated speaking time per character of text/SSML prompts. */
  msPerCharacter: number;
  /** Minimum length of any text prompt. */
  minTextMs: number;
  /** Length of an audio file, unless its URL says `duration=<ms>` in its query or fragment. */
  fileMs: number;
}

export const defaultMediaTiming: MediaTiming = { msPerCharacter: 60, minTextMs: 400, fileMs: 2000 };

/** What a media session needs from its call connection. */
export interface MediaHost {
  scheduler: Scheduler;
  timing: MediaTiming;
  emit(type: string, data: Record<string, unknown>, operationCallbackUri?: string): void;
  isParticipant(rawId: string): boolean;
  notifyScripts(event: 'recognize' | 'play', targetRawId?: string): void;
  record(detail: Record<string, unknown>): void;
}

type PlaySource =
  | { kind: 'file'; uri: string }
  | { kind: 'text'; text: string; voice?: string }
  | { kind: 'ssml'; ssml: string };

interface Choice {
  label: string;
  phrases: string[];
  tone?: string;
}

interface OpBase {
  operationContext?: string;
  callbackUri?: string;
  timer?: TimerHandle;
  interrupt: boolean;
}

interface PlayOp extends OpBase {
  kind: 'play';
  sources: PlaySource[];
  loop: boolean;
}

type Input = { tone: string } | { speech: string };

interface RecognizeOp extends OpBase {
  kind: 'recognize';
  inputType: 'dtmf' | 'choices' | 'speech' | 'speechOrDtmf';
  prompt: PlaySource[];
  interruptPrompt: boolean;
  initialSilenceMs: number;
  interToneMs: number;
  maxTones: number;
  stopTones: string[];
  choices: Choice[];
  target: string;
  phase: 'queued' | 'prompt' | 'listening';
  tones: string[];
  buffered: Input[];
}

type Op = PlayOp | RecognizeOp;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function parsePlaySource(raw: unknown, field: string): PlaySource {
  const s = (raw ?? {}) as Record<string, unknown>;
  const kind = str(s.kind)?.toLowerCase();
  if (kind === 'file') {
    const uri = str((s.file as Record<string, unknown> | undefined)?.uri);
    if (!uri) throw badRequest(`'${field}.file.uri' is required.`);
    return { kind: 'file', uri };
  }
  if (kind === 'text') {
    const text = str((s.text as Record<string, unknown> | undefined)?.text);
    if (!text) throw badRequest(`'${field}.text.text' is required.`);
    const voice = str((s.text as Record<string, unknown>).voiceName);
    return voice ? { kind: 'text', text, voice } : { kind: 'text', text };
  }
  if (kind === 'ssml') {
    const ssml = str((s.ssml as Record<string, unknown> | undefined)?.ssmlText);
    if (!ssml) throw badRequest(`'${field}.ssml.ssmlText' is required.`);
    return { kind: 'ssml', ssml };
  }
  throw badRequest(`'${field}.kind' must be file, text or ssml.`);
}

function seconds(v: unknown, def: number, min: number, max: number, field: string): number {
  if (v === undefined || v === null) return def * 1000;
  if (typeof v !== 'number' || v < min || v > max) {
    throw badRequest(`'${field}' must be between ${min} and ${max} seconds.`);
  }
  return v * 1000;
}

const normalise = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * The media operations of one call connection. ACS queues play/recognize operations and runs one
 * at a time; cancelAllMediaOperations cancels the running one and everything queued.
 */
export class MediaSession {
  private readonly queue: Op[] = [];
  private current?: Op;
  private closed = false;
  private readonly continuous = new Set<string>();
  private toneSequence = 0;

  constructor(private readonly host: MediaHost) {}

  // --- requests ---------------------------------------------------------------------------

  play(body: Record<string, unknown>): void {
    const sources = body.playSources;
    if (!Array.isArray(sources) || sources.length === 0) {
      throw badRequest("'playSources' must contain at least one play source.");
    }
    const playTo = Array.isArray(body.playTo) ? body.playTo : [];
    playTo.forEach((p, i) => this.requireParticipant(p, `playTo[${i}]`));
    const opts = (body.playOptions ?? {}) as Record<string, unknown>;
    this.submit({
      kind: 'play',
      sources: sources.map((s, i) => parsePlaySource(s, `playSources[${i}]`)),
      loop: opts.loop === true,
      operationContext: str(body.operationContext),
      callbackUri: str(body.operationCallbackUri),
      interrupt: body.interruptCallMediaOperation === true,
    });
  }

  recognize(body: Record<string, unknown>): void {
    const inputType = str(body.recognizeInputType);
    if (
      inputType !== 'dtmf' &&
      inputType !== 'choices' &&
      inputType !== 'speech' &&
      inputType !== 'speechOrDtmf'
    ) {
      throw badRequest("'recognizeInputType' must be dtmf, choices, speech or speechOrDtmf.");
    }
    const o = (body.recognizeOptions ?? {}) as Record<string, unknown>;
    const target = this.requireParticipant(
      o.targetParticipant,
      'recognizeOptions.targetParticipant',
    );
    const dtmf = (o.dtmfOptions ?? {}) as Record<string, unknown>;
    const prompts =
      Array.isArray(body.playPrompts) && body.playPrompts.length > 0
        ? body.playPrompts
        : body.playPrompt
          ? [body.playPrompt]
          : [];
    const maxTones = dtmf.maxTonesToCollect ?? 1;
    if (typeof maxTones !== 'number' || !Number.isInteger(maxTones) || maxTones < 1) {
      throw badRequest("'dtmfOptions.maxTonesToCollect' must be a positive integer.");
    }
    let choices: Choice[] = [];
    if (inputType === 'choices') {
      if (!Array.isArray(o.choices) || o.choices.length === 0) {
        throw badRequest("'recognizeOptions.choices' must not be empty for choices recognition.");
      }
      choices = o.choices.map((c, i) => {
        const r = (c ?? {}) as Record<string, unknown>;
        const label = str(r.label);
        if (!label) throw badRequest(`'choices[${i}].label' is required.`);
        const phrases = Array.isArray(r.phrases)
          ? r.phrases.filter((p) => typeof p === 'string')
          : [];
        const tone = r.tone === undefined ? undefined : parseTones([String(r.tone)])[0];
        return { label, phrases, tone };
      });
    }
    this.submit({
      kind: 'recognize',
      inputType,
      prompt: prompts.map((p, i) => parsePlaySource(p, `playPrompts[${i}]`)),
      interruptPrompt: o.interruptPrompt === true,
      initialSilenceMs: seconds(
        o.initialSilenceTimeoutInSeconds,
        5,
        0,
        300,
        'initialSilenceTimeoutInSeconds',
      ),
      interToneMs: seconds(dtmf.interToneTimeoutInSeconds, 2, 1, 60, 'interToneTimeoutInSeconds'),
      maxTones,
      stopTones: Array.isArray(dtmf.stopTones) ? parseTones(dtmf.stopTones) : [],
      choices,
      target,
      phase: 'queued',
      tones: [],
      buffered: [],
      operationContext: str(body.operationContext),
      callbackUri: str(body.operationCallbackUri),
      interrupt: body.interruptCallMediaOperation === true,
    });
  }

  cancelAll(): void {
    const ops = [...(this.current ? [this.current] : []), ...this.queue.splice(0)];
    this.current = undefined;
    for (const op of ops) this.cancel(op);
  }

  startContinuousDtmf(body: Record<string, unknown>): void {
    this.continuous.add(this.requireParticipant(body.targetParticipant, 'targetParticipant'));
  }

  stopContinuousDtmf(body: Record<string, unknown>): void {
    const target = this.requireParticipant(body.targetParticipant, 'targetParticipant');
    this.continuous.delete(target);
    this.host.emit(
      'ContinuousDtmfRecognitionStopped',
      { operationContext: str(body.operationContext), resultInformation: Results.ok },
      str(body.operationCallbackUri),
    );
  }

  /** Stops everything silently: the call is gone, so no media events follow CallDisconnected. */
  close(): void {
    this.closed = true;
    this.current?.timer?.cancel();
    for (const op of this.queue) op.timer?.cancel();
    this.queue.length = 0;
    this.current = undefined;
  }

  // --- caller input -----------------------------------------------------------------------

  tone(from: string, tone: string): void {
    if (this.closed) return;
    if (this.continuous.has(from)) {
      this.host.emit('ContinuousDtmfRecognitionToneReceived', {
        tone,
        sequenceId: ++this.toneSequence,
        participant: undefined,
        resultInformation: Results.ok,
      });
    }
    this.input(from, { tone });
  }

  speech(from: string, text: string): void {
    if (!this.closed) this.input(from, { speech: text });
  }

  // --- internals --------------------------------------------------------------------------

  private requireParticipant(model: unknown, field: string): string {
    const id = parseIdentifierModel(model, field);
    if (!this.host.isParticipant(id.rawId)) {
      throw badRequest(`Participant '${id.rawId}' is not in the call.`, '8519');
    }
    return id.rawId;
  }

  private submit(op: Op): void {
    if (op.interrupt && this.current) {
      const running = this.current;
      this.current = undefined;
      this.cancel(running);
      this.queue.unshift(op);
    } else {
      this.queue.push(op);
    }
    this.host.record({
      action: op.kind,
      operationContext: op.operationContext,
      queued: this.queue.length,
    });
    this.next();
  }

  private next(): void {
    if (this.current || this.closed) return;
    const op = this.queue.shift();
    if (!op) return;
    this.current = op;
    if (op.kind === 'play') this.startPlay(op);
    else this.startRecognize(op);
  }

  private finish(op: Op, type: string, data: Record<string, unknown>): void {
    if (this.current !== op) return;
    op.timer?.cancel();
    this.current = undefined;
    this.host.emit(type, { operationContext: op.operationContext, ...data }, op.callbackUri);
    this.next();
  }

  private cancel(op: Op): void {
    op.timer?.cancel();
    this.host.emit(
      op.kind === 'play' ? 'PlayCanceled' : 'RecognizeCanceled',
      { operationContext: op.operationContext, resultInformation: Results.canceled },
      op.callbackUri,
    );
  }

  /** Emulated length of a list of sources, or the index and reason of the first that fails. */
  private measure(
    sources: PlaySource[],
  ): { ms: number } | { index: number; result: ResultInformation } {
    const { timing } = this.host;
    let ms = 0;
    for (const [index, s] of sources.entries()) {
      if (s.kind === 'file') {
        let url: URL;
        try {
          url = new URL(s.uri);
        } catch {
          return { index, result: Results.playDownload };
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') {
          return { index, result: Results.playDownload };
        }
        if (/notfound|invalid/i.test(url.hostname + url.pathname)) {
          return { index, result: Results.playDownload };
        }
        const ext = /\.([a-z0-9]+)$/i.exec(url.pathname)?.[1]?.toLowerCase();
        if (ext && ext !== 'wav' && ext !== 'mp3') return { index, result: Results.playBadFormat };
        const hint = /(?:^|[?#&])duration=(\d+)/.exec(url.search + url.hash)?.[1];
        ms += hint ? Number(hint) : timing.fileMs;
      } else {
        const text = s.kind === 'text' ? s.text : s.ssml.replace(/<[^>]*>/g, '');
        ms += Math.max(timing.minTextMs, text.trim().length * timing.msPerCharacter);
      }
    }
    return { ms };
  }

  private startPlay(op: PlayOp): void {
    const m = this.measure(op.sources);
    this.host.notifyScripts('play');
    if (this.current === op && !('index' in m)) this.heard(op, op.sources);
    if ('index' in m) {
      this.finish(op, 'PlayFailed', {
        failedPlaySourceIndex: m.index,
        resultInformation: m.result,
      });
      return;
    }
    const run = () => {
      op.timer = this.host.scheduler.after(m.ms, () => {
        if (op.loop && this.current === op) run();
        else this.finish(op, 'PlayCompleted', { resultInformation: Results.ok });
      });
    };
    run();
  }

  private startRecognize(op: RecognizeOp): void {
    op.phase = 'prompt';
    this.host.notifyScripts('recognize', op.target);
    if (this.current !== op) return; // the script's reaction may already have finished it
    const m = this.measure(op.prompt);
    if ('index' in m) {
      this.finish(op, 'RecognizeFailed', { resultInformation: Results.promptFailed });
      return;
    }
    if (op.prompt.length > 0) this.heard(op, op.prompt);
    if (m.ms === 0) {
      this.listen(op);
      return;
    }
    op.timer = this.host.scheduler.after(m.ms, () => this.listen(op));
  }

  /** What the participants hear from now on (the timeline's transcript of prompts). */
  private heard(op: Op, sources: PlaySource[]): void {
    this.host.record({ heard: sources, operationContext: op.operationContext, by: op.kind });
  }

  private listen(op: RecognizeOp): void {
    if (this.current !== op || op.phase === 'listening') return;
    op.timer?.cancel();
    op.phase = 'listening';
    op.timer = this.host.scheduler.after(op.initialSilenceMs, () =>
      this.finish(op, 'RecognizeFailed', { resultInformation: Results.initialSilence }),
    );
    for (const input of op.buffered.splice(0)) {
      if (this.current !== op) return;
      this.consume(op, input);
    }
  }

  private input(from: string, input: Input): void {
    const op = this.current;
    if (!op || op.kind !== 'recognize' || op.target !== from) return;
    if (op.phase === 'prompt') {
      op.buffered.push(input);
      if (op.interruptPrompt) this.listen(op);
      return;
    }
    if (op.phase === 'listening') this.consume(op, input);
  }

  private consume(op: RecognizeOp, input: Input): void {
    const done = (type: string, data: Record<string, unknown>) => this.finish(op, type, data);
    if ('tone' in input) {
      const tone = input.tone;
      if (op.inputType === 'speech') return;
      if (op.inputType === 'choices') {
        const choice = op.choices.find((c) => c.tone === tone);
        if (choice) {
          done('RecognizeCompleted', {
            recognitionType: 'choices',
            choiceResult: { label: choice.label },
            resultInformation: Results.dtmfMatched,
          });
        } else {
          done('RecognizeFailed', { resultInformation: Results.incorrectTone });
        }
        return;
      }
      op.timer?.cancel();
      if (op.stopTones.includes(tone)) {
        done('RecognizeCompleted', {
          recognitionType: 'dtmf',
          dtmfResult: { tones: op.tones },
          resultInformation: Results.stopTone,
        });
        return;
      }
      op.tones.push(tone);
      if (op.tones.length >= op.maxTones) {
        done('RecognizeCompleted', {
          recognitionType: 'dtmf',
          dtmfResult: { tones: op.tones },
          resultInformation: Results.maxTones,
        });
        return;
      }
      op.timer = this.host.scheduler.after(op.interToneMs, () =>
        done('RecognizeFailed', { resultInformation: Results.interDigit }),
      );
      return;
    }
    const text = input.speech;
    if (op.inputType === 'dtmf' || (op.inputType === 'speechOrDtmf' && op.tones.length > 0)) return;
    if (op.inputType === 'choices') {
      const said = normalise(text);
      const choice = op.choices.find(
        (c) => c.phrases.some((p) => normalise(p) === said) || normalise(c.label) === said,
      );
      if (choice) {
        done('RecognizeCompleted', {
          recognitionType: 'choices',
          choiceResult: { label: choice.label, recognizedPhrase: text, confidence: 0.95 },
          resultInformation: Results.speechMatched,
        });
      } else {
        done('RecognizeFailed', { resultInformation: Results.speechNotMatched });
      }
      return;
    }
    done('RecognizeCompleted', {
      recognitionType: 'speech',
      speechResult: { speech: text, confidence: 0.95 },
      resultInformation: Results.speechRecognized,
    });
  }
}
