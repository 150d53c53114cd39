/**
 * The Call Automation request bodies the emulator accepts, one zod schema per operation, and
 * how a bad body is answered: the first problem as ACS's `{"error":{"code","message"}}` 400,
 * worded as the SDK's users have always seen it. The schemas accept exactly what the service
 * code used to check by hand — including its leniency (a non-string operationContext is as
 * good as none) — so they document the wire format without changing what passes.
 *
 * Where an operation also checks the call's state between two fields (is the transferee in the
 * call, has this context been used), its body is read in stages — a `…Head` schema first, the
 * state check, then the whole body — so a body wrong in two ways still reports the same
 * problem first as before.
 */
import { z } from 'zod';
import { asObject, eachWith, fromParser, requiredText, text } from './body-schema.js';
import { badRequest } from './errors.js';
import {
  type Identity,
  parseIdentifierModel,
  parseIdentityString,
  parseTones,
} from './identifiers.js';

export { parseBody } from './body-schema.js';

// --- shared fields -------------------------------------------------------------------------

/** Any string (media operations keep an empty one), or absent. */
const anyText = z
  .unknown()
  .optional()
  .transform((v) => (typeof v === 'string' ? v : undefined));
/** Only `true` is true. */
const flag = z
  .unknown()
  .optional()
  .transform((v) => v === true);
const lenientArray = z
  .unknown()
  .optional()
  .transform((v) => (Array.isArray(v) ? v : []));

const httpUrl = (field: string) =>
  requiredText(`'${field}' is required.`).superRefine((s, ctx) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: `'${field}' must be an absolute URL.` });
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `'${field}' must be an http(s) URL.` });
    }
  });

/** Absent, null and '' mean "use the connection's callbackUri"; anything else must be a URL. */
const optionalHttpUrl = (field: string) =>
  z.preprocess((v) => (v === null || v === '' ? undefined : v), httpUrl(field).optional());
const operationCallbackUri = optionalHttpUrl('operationCallbackUri');

const identifier = (field: string) => fromParser((v) => parseIdentifierModel(v, field));

/**
 * `callIntelligenceOptions.cognitiveServicesEndpoint`: the Cognitive Services resource the call
 * uses for text-to-speech and speech recognition (absent: none, and those operations are
 * refused). ACS takes only https endpoints.
 */
const cognitiveServicesEndpoint = 'callIntelligenceOptions.cognitiveServicesEndpoint';
const callIntelligenceOptions = z.preprocess(
  asObject,
  z
    .object({
      cognitiveServicesEndpoint: z.preprocess(
        (v) => (v === null || v === '' ? undefined : v),
        httpUrl(cognitiveServicesEndpoint)
          .refine((s) => s.startsWith('https:'), {
            error: `'${cognitiveServicesEndpoint}' must be an https URL.`,
          })
          .optional(),
      ),
    })
    .transform((o) => o.cognitiveServicesEndpoint),
);

/** A feature ACS has and the emulator does not: refused, rather than silently ignored. */
const notImplemented = (field: string) =>
  z
    .unknown()
    .optional()
    .refine((v) => v === undefined || v === null, {
      error: `'${field}' is not implemented by the emulator.`,
      params: { code: 'NotImplemented' },
    });
/** What createCall, answerCall and connectCall take that the emulator does not do. */
const unsupportedCallOptions = {
  mediaStreamingOptions: notImplemented('mediaStreamingOptions'),
  transcriptionOptions: notImplemented('transcriptionOptions'),
};

/** `{ id }` of a communication user (answeredBy, source), or absent. */
const userIdOf = fromParser((v): Identity | undefined => {
  const id = (asObject(v) as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 ? parseIdentityString(id) : undefined;
});

/** `{ value: "+1…" }`: the number the call appears to come from. */
const callerIdNumber = fromParser((v): string | undefined => {
  if (v === undefined || v === null) return undefined;
  const value = (v as { value?: unknown }).value;
  if (typeof value !== 'string') throw badRequest("'sourceCallerIdNumber.value' is required.");
  return parseIdentityString(value).value;
});

const tones = fromParser(parseTones);

/** voipHeaders / sipHeaders: header name → string value. */
const headerMap = (field: string) =>
  z
    .unknown()
    .optional()
    .transform((v, ctx): Record<string, string> => {
      if (v === undefined || v === null) return {};
      const entries = typeof v === 'object' && !Array.isArray(v) ? Object.entries(v) : undefined;
      const bad = entries?.find(([, x]) => typeof x !== 'string');
      if (!entries || bad) {
        ctx.addIssue({
          code: 'custom',
          message: bad
            ? `'${field}.${bad[0]}' must be a string.`
            : `'${field}' must be an object of header values.`,
        });
        return z.NEVER;
      }
      return Object.fromEntries(entries) as Record<string, string>;
    });

/** What transfer and add pass on to the invitee (IncomingCall's customContext when it is ours). */
const customCallingContext = z.preprocess(
  asObject,
  z.object({
    voipHeaders: headerMap('customCallingContext.voipHeaders'),
    sipHeaders: headerMap('customCallingContext.sipHeaders'),
  }),
);

// --- calls ---------------------------------------------------------------------------------

/** answer, reject and redirect first find the ringing call by its context. */
export const IncomingCallHead = z.object({
  incomingCallContext: requiredText("'incomingCallContext' is required."),
});

export const AnswerCallBody = z.object({
  incomingCallContext: IncomingCallHead.shape.incomingCallContext,
  callbackUri: httpUrl('callbackUri'),
  answeredBy: userIdOf,
  operationContext: text,
  callIntelligenceOptions,
  ...unsupportedCallOptions,
});

export const RejectCallBody = z.object({
  incomingCallContext: IncomingCallHead.shape.incomingCallContext,
  callRejectReason: text
    .transform((v) => v ?? 'none')
    .pipe(
      z.enum(['none', 'busy', 'forbidden'], {
        error: "'callRejectReason' must be none, busy or forbidden.",
      }),
    ),
});

export const RedirectCallBody = z.object({
  incomingCallContext: IncomingCallHead.shape.incomingCallContext,
  target: identifier('target'),
});

const callbackUri = httpUrl('callbackUri');
const targets = z
  .array(z.unknown(), { error: "'targets' must contain at least one participant." })
  .min(1, { error: "'targets' must contain at least one participant.", abort: true })
  .transform(eachWith((t, i) => parseIdentifierModel(t, `targets[${i}]`)));

/** Read before the source: a phone target needs a caller id, whatever the source says. */
export const CreateCallHead = z
  .object({ callbackUri, targets, sourceCallerIdNumber: callerIdNumber })
  .superRefine((b, ctx) => {
    if (b.targets.some((t) => t.kind === 'phoneNumber') && !b.sourceCallerIdNumber) {
      ctx.addIssue({
        code: 'custom',
        message:
          "'sourceCallerIdNumber' is required when calling a phone number (a number your resource owns).",
      });
    }
  });

export const CreateCallBody = z.object({
  callbackUri,
  targets,
  sourceCallerIdNumber: callerIdNumber,
  source: userIdOf,
  operationContext: text,
  sourceDisplayName: text,
  callIntelligenceOptions,
  ...unsupportedCallOptions,
});

export const ConnectCallBody = z.object({
  callbackUri,
  callLocator: z.preprocess(
    asObject,
    z
      .object({ kind: text, serverCallId: text, groupCallId: text, roomId: text })
      .transform((l, ctx) => {
        const kind = l.kind ?? 'serverCallLocator';
        if (kind === 'serverCallLocator') {
          if (l.serverCallId) return { kind, id: l.serverCallId } as const;
          ctx.addIssue({ code: 'custom', message: "'callLocator.serverCallId' is required." });
          return z.NEVER;
        }
        if (kind === 'groupCallLocator' || kind === 'roomCallLocator') {
          const id = kind === 'groupCallLocator' ? l.groupCallId : l.roomId;
          if (id) return { kind, id } as const;
          ctx.addIssue({ code: 'custom', message: `'callLocator' needs an id for ${kind}.` });
          return z.NEVER;
        }
        ctx.addIssue({ code: 'custom', message: `Unknown call locator kind '${kind}'.` });
        return z.NEVER;
      }),
  ),
  operationContext: text,
  callIntelligenceOptions,
  ...unsupportedCallOptions,
});

/** Falsy means absent: with one person in the call, ACS works the transferee out itself. */
const transferee = z.preprocess((v) => v || undefined, identifier('transferee').optional());

export const TransferHead = z.object({
  targetParticipant: identifier('targetParticipant'),
  transferee,
});

export const TransferBody = z.object({
  targetParticipant: identifier('targetParticipant'),
  transferee,
  operationContext: text,
  operationCallbackUri,
  sourceCallerIdNumber: callerIdNumber,
  customCallingContext,
});

// --- participants --------------------------------------------------------------------------

export const AddParticipantHead = z
  .object({
    participantToAdd: identifier('participantToAdd'),
    sourceCallerIdNumber: callerIdNumber,
  })
  .superRefine((b, ctx) => {
    if (b.participantToAdd.kind === 'phoneNumber' && !b.sourceCallerIdNumber) {
      ctx.addIssue({
        code: 'custom',
        message: "'sourceCallerIdNumber' is required when adding a phone number.",
      });
    }
  });

const invitationTimeout = "'invitationTimeoutInSeconds' must be between 1 and 180.";
export const AddParticipantBody = z.object({
  participantToAdd: identifier('participantToAdd'),
  sourceCallerIdNumber: callerIdNumber,
  invitationTimeoutInSeconds: z
    .number({ error: invitationTimeout })
    .gt(0, { error: invitationTimeout })
    .lte(180, { error: invitationTimeout }),
  operationContext: text,
  operationCallbackUri,
  sourceDisplayName: text,
  customCallingContext,
});

export const CancelAddParticipantBody = z.object({
  invitationId: requiredText("'invitationId' is required."),
  operationContext: text,
  operationCallbackUri,
});

export const RemoveParticipantBody = z.object({
  participantToRemove: identifier('participantToRemove'),
  operationContext: text,
  operationCallbackUri,
});

const exactlyOne = "'targetParticipants' must contain exactly one participant.";
export const MuteBody = z.object({
  targetParticipants: z
    .array(z.unknown(), { error: exactlyOne })
    .length(1, { error: exactlyOne, abort: true })
    .pipe(z.tuple([identifier('targetParticipants[0]')])),
  operationContext: text,
});

/** hold and unhold. */
export const HoldBody = z.object({ targetParticipant: identifier('targetParticipant') });

/** What hold reads besides its target: the music, and where HoldFailed goes. */
export const HoldOptionsBody = z.object({
  playSourceInfo: fromParser((v) =>
    v === undefined || v === null ? undefined : parsePlaySource(v, 'playSourceInfo'),
  ),
  operationContext: text,
  operationCallbackUri,
});

const someToMove = "'targetParticipants' must contain at least one participant.";
export const MoveParticipantsBody = z.object({
  targetParticipants: z
    .array(z.unknown(), { error: someToMove })
    .min(1, { error: someToMove, abort: true })
    .transform(eachWith((t, i) => parseIdentifierModel(t, `targetParticipants[${i}]`))),
  /** The call connection id of the call they are in (the spec's and the SDK's reading). */
  fromCall: requiredText("'fromCall' is required: the call connection id of their call."),
  operationContext: text,
  operationCallbackUri,
});

export const SendDtmfHead = HoldBody;
export const SendDtmfBody = z.object({
  targetParticipant: identifier('targetParticipant'),
  tones,
  operationContext: text,
  operationCallbackUri,
});

// --- media ---------------------------------------------------------------------------------

export type PlaySource =
  | { kind: 'file'; uri: string }
  | { kind: 'text'; text: string; voice?: string }
  | { kind: 'ssml'; ssml: string };

function parsePlaySource(raw: unknown, field: string): PlaySource {
  const s = (raw ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
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

const atLeastOneSource = "'playSources' must contain at least one play source.";
const playSourcesPresent = z
  .array(z.unknown(), { error: atLeastOneSource })
  .min(1, { error: atLeastOneSource, abort: true });

/** Everyone in playTo must be in the call, checked one by one before the sources are read. */
export const PlayHead = z.object({ playSources: playSourcesPresent, playTo: lenientArray });

export const PlayBody = z.object({
  playSources: playSourcesPresent.transform(
    eachWith((s, i) => parsePlaySource(s, `playSources[${i}]`)),
  ),
  playTo: lenientArray,
  playOptions: z.preprocess(asObject, z.object({ loop: flag })),
  operationContext: anyText,
  operationCallbackUri,
  interruptCallMediaOperation: flag,
});

const inputTypes = ['dtmf', 'choices', 'speech', 'speechOrDtmf'] as const;
export const RecognizeHead = z.object({
  recognizeInputType: z.enum(inputTypes, {
    error: "'recognizeInputType' must be dtmf, choices, speech or speechOrDtmf.",
  }),
  recognizeOptions: z.preprocess(
    asObject,
    z.object({ targetParticipant: identifier('recognizeOptions.targetParticipant') }),
  ),
});

/** An optional number of seconds in a range, as emulated ms. */
const seconds = (def: number, min: number, max: number, field: string) => {
  const message = `'${field}' must be between ${min} and ${max} seconds.`;
  return z
    .number({ error: message })
    .gte(min, { error: message })
    .lte(max, { error: message })
    .nullish()
    .transform((v) => (v ?? def) * 1000);
};

export interface Choice {
  label: string;
  phrases: string[];
  tone?: string;
}

function parseChoice(c: unknown, i: number): Choice {
  const r = (c ?? {}) as Record<string, unknown>;
  const label = typeof r.label === 'string' && r.label ? r.label : undefined;
  if (!label) throw badRequest(`'choices[${i}].label' is required.`);
  const phrases = Array.isArray(r.phrases) ? r.phrases.filter((p) => typeof p === 'string') : [];
  const tone = r.tone === undefined ? undefined : parseTones([String(r.tone)])[0];
  return { label, phrases, tone };
}

const maxTones = "'dtmfOptions.maxTonesToCollect' must be a positive integer.";
const noChoices = "'recognizeOptions.choices' must not be empty for choices recognition.";

const recognizeBody = (choices: z.ZodType<Choice[]>) =>
  z.preprocess(
    // playPrompts wins when it has any; a single playPrompt is the older spelling.
    (v) => {
      const b = v as Record<string, unknown>;
      const prompts =
        Array.isArray(b.playPrompts) && b.playPrompts.length > 0
          ? b.playPrompts
          : b.playPrompt
            ? [b.playPrompt]
            : [];
      return { ...b, prompts };
    },
    z.object({
      recognizeInputType: RecognizeHead.shape.recognizeInputType,
      recognizeOptions: z.preprocess(
        asObject,
        z.object({
          targetParticipant: identifier('recognizeOptions.targetParticipant'),
          interruptPrompt: flag,
          initialSilenceTimeoutInSeconds: seconds(5, 0, 300, 'initialSilenceTimeoutInSeconds'),
          dtmfOptions: z.preprocess(
            asObject,
            z.object({
              maxTonesToCollect: z
                .number({ error: maxTones })
                .refine(Number.isInteger, { error: maxTones })
                .refine((n) => n >= 1, { error: maxTones })
                .nullish()
                .transform((v) => v ?? 1),
              interToneTimeoutInSeconds: seconds(2, 1, 60, 'interToneTimeoutInSeconds'),
              stopTones: fromParser((v) => (Array.isArray(v) ? parseTones(v) : [])),
            }),
          ),
          choices,
        }),
      ),
      prompts: z
        .array(z.unknown())
        .transform(eachWith((p, i) => parsePlaySource(p, `playPrompts[${i}]`))),
      operationContext: anyText,
      operationCallbackUri,
      interruptCallMediaOperation: flag,
    }),
  );

/** The order the recognize fields were always checked in, which the shape cannot follow. */
export const recognizeOrder = [
  'recognizeOptions.dtmfOptions.maxTonesToCollect',
  'recognizeOptions.choices',
  'prompts',
  'recognizeOptions.initialSilenceTimeoutInSeconds',
  'recognizeOptions.dtmfOptions.interToneTimeoutInSeconds',
  'recognizeOptions.dtmfOptions.stopTones',
] as const;

/** Choices are read only for choices recognition; other input types ignore them. */
export const RecognizeChoicesBody = recognizeBody(
  z
    .array(z.unknown(), { error: noChoices })
    .min(1, { error: noChoices, abort: true })
    .transform(eachWith(parseChoice)),
);
export const RecognizeBody = recognizeBody(
  z
    .unknown()
    .optional()
    .transform((): Choice[] => []),
);

/** start/stopContinuousDtmfRecognition. */
export const ContinuousDtmfBody = z.object({
  targetParticipant: identifier('targetParticipant'),
  operationContext: anyText,
  operationCallbackUri,
});

export type AnswerCallRequest = z.output<typeof AnswerCallBody>;
export type CreateCallRequest = z.output<typeof CreateCallBody>;
export type ConnectCallRequest = z.output<typeof ConnectCallBody>;
export type TransferRequest = z.output<typeof TransferBody>;
export type AddParticipantRequest = z.output<typeof AddParticipantBody>;
export type PlayRequest = z.output<typeof PlayBody>;
export type RecognizeRequest = z.output<typeof RecognizeBody>;
