import type { CallbackEventType } from './api-registry.js';
import {
  type CognitiveServicesLink,
  cognitiveServicesAuthFailed,
  cognitiveServicesNotConfigured,
  isSpeechSource,
  recognizeNeedsSpeech,
} from './cognitive-services.js';
import { Results, badRequest, type ResultInformation } from './errors.js';
import { type Identity, parseIdentifierModel } from './identifiers.js';
import {
  type Choice,
  ContinuousDtmfBody,
  PlayBody,
  PlayHead,
  type PlaySource,
  RecognizeBody,
  RecognizeChoicesBody,
  RecognizeHead,
  parseBody,
  recognizeOrder,
} from './rest-schemas.js';
import type { Scheduler, TimerHandle } from './scheduler.js';

export interface MediaTiming {
  /** Emulated speaking time per character of text/SSML prompts. */
  msPerCharacter: number;
  /** Minimum length of any text prompt. */
  minTextMs: number;
  /** Length of an audio file, unless its URL says `duration=<ms>` in its query or fragment. */
  fileMs: number;
  /** Emulated time sendDtmfTones takes per tone before SendDtmfTonesCompleted. */
  msPerSentTone: number;
}

export const defaultMediaTiming: MediaTiming = {
  msPerCharacter: 60,
  minTextMs: 400,
  fileMs: 2000,
  msPerSentTone: 250,
};

/** Recognition confidence when a script or test does not give one. */
export const DEFAULT_CONFIDENCE = 0.95;

/** What a media session needs from its call connection. */
export interface MediaHost {
  scheduler: Scheduler;
  timing: MediaTiming;
  emit(type: CallbackEventType, data: Record<string, unknown>, operationCallbackUri?: string): void;
  isParticipant(rawId: string): boolean;
  notifyScripts(event: 'recognize' | 'play', targetRawId?: string): void;
  record(detail: Record<string, unknown>): void;
  /** The connection's Cognitive Services resource, for text-to-speech and speech input. */
  cognitiveServices(): CognitiveServicesLink;
  /** A failure a test queued for the next operation of this kind on the call. */
  injected(
    operation: 'play' | 'recognize' | 'sendDtmfTones' | 'continuousDtmfRecognition',
  ): ResultInformation | undefined;
}

/**
 * Emulated length of a list of sources, or the index and reason of the first that fails. Play,
 * recognize prompts and hold music are all checked this way.
 */
export function measureSources(
  sources: PlaySource[],
  timing: MediaTiming,
): { ms: number } | { index: number; result: ResultInformation } {
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

interface OpBase {
  operationContext?: string;
  callbackUri?: string;
  timer?: TimerHandle;
  interrupt: boolean;
  /** It needs speech services through an endpoint that is not linked: it fails when it runs. */
  speechFails?: boolean;
}

interface PlayOp extends OpBase {
  kind: 'play';
  sources: PlaySource[];
  loop: boolean;
  /** Raw ids of playTo; empty: everyone. */
  targets: string[];
}

type Input = { tone: string } | { speech: string; confidence: number };

/** DTMF the application sends to a participant (runs beside play and recognize). */
interface Send {
  target: string;
  operationContext?: string;
  callbackUri?: string;
  timer: TimerHandle;
}

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
  /** Continuous DTMF recognition by target raw id, with the start request's context. */
  private readonly continuous = new Map<
    string,
    { operationContext?: string; callbackUri?: string }
  >();
  private readonly sends = new Set<Send>();
  /** Participants on hold hearing music from this connection. */
  private readonly holdMusicFor = new Set<string>();
  private toneSequence = 0;

  constructor(private readonly host: MediaHost) {}

  // --- requests ---------------------------------------------------------------------------

  play(body: Record<string, unknown>): void {
    const targets = parseBody(PlayHead, body).playTo.map((p, i) =>
      this.requireParticipant(parseIdentifierModel(p, `playTo[${i}]`)),
    );
    const b = parseBody(PlayBody, body);
    this.submit({
      kind: 'play',
      sources: b.playSources,
      loop: b.playOptions.loop,
      targets,
      operationContext: b.operationContext,
      callbackUri: b.operationCallbackUri,
      interrupt: b.interruptCallMediaOperation,
      speechFails: this.speechFails(b.playSources.some(isSpeechSource)),
    });
  }

  recognize(body: Record<string, unknown>): void {
    const head = parseBody(RecognizeHead, body);
    const target = this.requireParticipant(head.recognizeOptions.targetParticipant);
    const inputType = head.recognizeInputType;
    const b = parseBody(
      inputType === 'choices' ? RecognizeChoicesBody : RecognizeBody,
      body,
      recognizeOrder,
    );
    const o = b.recognizeOptions;
    this.submit({
      kind: 'recognize',
      inputType,
      prompt: b.prompts,
      interruptPrompt: o.interruptPrompt,
      initialSilenceMs: o.initialSilenceTimeoutInSeconds,
      interToneMs: o.dtmfOptions.interToneTimeoutInSeconds,
      maxTones: o.dtmfOptions.maxTonesToCollect,
      stopTones: o.dtmfOptions.stopTones,
      choices: o.choices,
      target,
      phase: 'queued',
      tones: [],
      buffered: [],
      operationContext: b.operationContext,
      callbackUri: b.operationCallbackUri,
      interrupt: b.interruptCallMediaOperation,
      speechFails: this.speechFails(recognizeNeedsSpeech(inputType, b.prompts, o.choices)),
    });
  }

  cancelAll(): void {
    const ops = [...(this.current ? [this.current] : []), ...this.queue.splice(0)];
    this.current = undefined;
    for (const op of ops) this.cancel(op);
  }

  startContinuousDtmf(body: Record<string, unknown>): void {
    const b = parseBody(ContinuousDtmfBody, body);
    this.continuous.set(this.requireParticipant(b.targetParticipant), {
      operationContext: b.operationContext,
      callbackUri: b.operationCallbackUri,
    });
  }

  stopContinuousDtmf(body: Record<string, unknown>): void {
    const b = parseBody(ContinuousDtmfBody, body);
    this.continuous.delete(this.requireParticipant(b.targetParticipant));
    this.host.emit(
      'ContinuousDtmfRecognitionStopped',
      { operationContext: b.operationContext, resultInformation: Results.ok },
      b.operationCallbackUri,
    );
  }

  /** Sends tones to a participant (validated by the caller); done once all have been sent. */
  sendTones(
    target: string,
    count: number,
    operationContext: string | undefined,
    callbackUri: string | undefined,
  ): void {
    const injected = this.host.injected('sendDtmfTones');
    const send: Send = {
      target,
      operationContext,
      callbackUri,
      timer: this.host.scheduler.after(count * this.host.timing.msPerSentTone, () => {
        this.sends.delete(send);
        if (injected) this.sendFailed(send, injected);
        else this.sendDone(send, 'SendDtmfTonesCompleted', Results.ok);
      }),
    };
    this.sends.add(send);
  }

  /**
   * Hold music: the held participant hears `source` on a loop until unhold. Validated like any
   * play source; a source that cannot be played answers its failure (nothing is heard).
   */
  startHoldMusic(
    rawId: string,
    source: PlaySource,
    operationContext?: string,
  ): ResultInformation | undefined {
    if (this.speechFails(isSpeechSource(source))) return cognitiveServicesAuthFailed;
    const m = measureSources([source], this.host.timing);
    if ('index' in m) return m.result;
    this.holdMusicFor.add(rawId);
    this.host.record({ heard: [source], to: [rawId], by: 'hold', loop: true, operationContext });
    return undefined;
  }

  stopHoldMusic(rawId: string): void {
    if (!this.holdMusicFor.delete(rawId)) return;
    this.host.record({ heardStopped: 'hold', to: [rawId] });
  }

  /** Stops everything silently: the call is gone, so no media events follow CallDisconnected. */
  close(): void {
    this.closed = true;
    this.current?.timer?.cancel();
    for (const op of this.queue) op.timer?.cancel();
    for (const send of this.sends) send.timer.cancel();
    this.sends.clear();
    this.queue.length = 0;
    this.current = undefined;
  }

  /**
   * Someone left a call that goes on: what was aimed at them fails now rather than timing out
   * (a recognize would otherwise wait out its silence timeout for nobody).
   */
  participantLeft(rawId: string): void {
    if (this.closed) return;
    const op = this.current;
    if (op?.kind === 'recognize' && op.target === rawId) {
      this.finish(op, 'RecognizeFailed', { resultInformation: Results.participantLeft });
    } else if (op?.kind === 'play' && op.targets.includes(rawId) && this.nobodyLeft(op.targets)) {
      this.finish(op, 'PlayFailed', { resultInformation: Results.participantLeft });
    }
    for (const send of [...this.sends]) {
      if (send.target !== rawId) continue;
      send.timer.cancel();
      this.sends.delete(send);
      this.sendFailed(send, Results.participantLeft);
    }
    const continuous = this.continuous.get(rawId);
    if (continuous) {
      this.continuous.delete(rawId);
      this.host.emit(
        'ContinuousDtmfRecognitionStopped',
        { operationContext: continuous.operationContext, resultInformation: Results.ok },
        continuous.callbackUri,
      );
    }
  }

  // --- caller input -----------------------------------------------------------------------

  tone(from: string, tone: string): void {
    if (this.closed) return;
    const continuous = this.continuous.get(from);
    if (continuous) {
      const failed = this.host.injected('continuousDtmfRecognition');
      const data = { operationContext: continuous.operationContext };
      if (failed) {
        this.host.emit(
          'ContinuousDtmfRecognitionToneFailed',
          { ...data, resultInformation: failed },
          continuous.callbackUri,
        );
      } else {
        this.host.emit(
          'ContinuousDtmfRecognitionToneReceived',
          { ...data, tone, sequenceId: ++this.toneSequence, resultInformation: Results.ok },
          continuous.callbackUri,
        );
      }
    }
    this.input(from, { tone });
  }

  speech(from: string, text: string, confidence = DEFAULT_CONFIDENCE): void {
    if (!this.closed) this.input(from, { speech: text, confidence });
  }

  // --- internals --------------------------------------------------------------------------

  private sendDone(send: Send, type: CallbackEventType, result: ResultInformation): void {
    this.host.emit(
      type,
      { operationContext: send.operationContext, resultInformation: result },
      send.callbackUri,
    );
  }

  private sendFailed(send: Send, result: ResultInformation): void {
    this.sendDone(send, 'SendDtmfTonesFailed', result);
  }

  private nobodyLeft(rawIds: string[]): boolean {
    return !rawIds.some((id) => this.host.isParticipant(id));
  }

  private requireParticipant(id: Identity): string {
    if (!this.host.isParticipant(id.rawId)) {
      throw badRequest(`Participant '${id.rawId}' is not in the call.`, '8519');
    }
    return id.rawId;
  }

  /**
   * Whether an operation that needs speech services (`needed`) must fail when it runs: refused
   * now when the call has no Cognitive Services resource, failing later when it is not linked.
   */
  private speechFails(needed: boolean): boolean {
    if (!needed) return false;
    const link = this.host.cognitiveServices();
    if (link === 'missing') throw cognitiveServicesNotConfigured();
    return link === 'unlinked';
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

  private finish(op: Op, type: CallbackEventType, data: Record<string, unknown>): void {
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

  private startPlay(op: PlayOp): void {
    if (op.speechFails) {
      this.finish(op, 'PlayFailed', {
        failedPlaySourceIndex: op.sources.findIndex(isSpeechSource),
        resultInformation: cognitiveServicesAuthFailed,
      });
      return;
    }
    const refused =
      this.host.injected('play') ??
      (op.targets.length > 0 && this.nobodyLeft(op.targets) ? Results.participantLeft : undefined);
    if (refused) {
      this.finish(op, 'PlayFailed', { resultInformation: refused });
      return;
    }
    const m = measureSources(op.sources, this.host.timing);
    if ('index' in m) {
      this.finish(op, 'PlayFailed', {
        failedPlaySourceIndex: m.index,
        resultInformation: m.result,
      });
      return;
    }
    this.host.emit(
      'PlayStarted',
      { operationContext: op.operationContext, resultInformation: Results.ok },
      op.callbackUri,
    );
    this.host.notifyScripts('play');
    this.heard(op, op.sources);
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
    const refused =
      this.host.injected('recognize') ??
      (this.host.isParticipant(op.target) ? undefined : Results.participantLeft);
    if (refused) {
      this.finish(op, 'RecognizeFailed', { resultInformation: refused });
      return;
    }
    this.host.notifyScripts('recognize', op.target);
    if (this.current !== op) return; // the script's reaction may already have finished it
    if (op.speechFails) {
      this.finish(op, 'RecognizeFailed', { resultInformation: cognitiveServicesAuthFailed });
      return;
    }
    const m = measureSources(op.prompt, this.host.timing);
    if ('index' in m) {
      this.finish(op, 'RecognizeFailed', {
        failedPlaySourceIndex: m.index,
        resultInformation: Results.promptFailed,
      });
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
    const done = (type: CallbackEventType, data: Record<string, unknown>) =>
      this.finish(op, type, data);
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
    const { speech: text, confidence } = input;
    if (op.inputType === 'dtmf' || (op.inputType === 'speechOrDtmf' && op.tones.length > 0)) return;
    if (op.inputType === 'choices') {
      const said = normalise(text);
      const choice = op.choices.find(
        (c) => c.phrases.some((p) => normalise(p) === said) || normalise(c.label) === said,
      );
      if (choice) {
        done('RecognizeCompleted', {
          recognitionType: 'choices',
          choiceResult: { label: choice.label, recognizedPhrase: text, confidence },
          resultInformation: Results.speechMatched,
        });
      } else {
        done('RecognizeFailed', { resultInformation: Results.speechNotMatched });
      }
      return;
    }
    done('RecognizeCompleted', {
      recognitionType: 'speech',
      speechResult: { speech: text, confidence },
      resultInformation: Results.speechRecognized,
    });
  }
}
