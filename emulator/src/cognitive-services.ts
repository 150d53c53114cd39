/**
 * Text-to-speech prompts and speech recognition run on a Cognitive Services (Azure AI services)
 * resource the app links to the call with `callIntelligenceOptions.cognitiveServicesEndpoint`
 * on createCall, answerCall or connectCall. Without one ACS refuses the operation at the
 * request — 405, code 8522 "Missing configuration" in the Call Automation troubleshooting
 * codes, with the message below — so an app that forgets it fails here as it would there.
 * Audio files and DTMF need no such resource.
 */
import { AcsHttpError, Results, type ResultInformation } from './errors.js';
import type { Choice, PlaySource } from './rest-schemas.js';

/** What the emulator links when told nothing else (the engine and tests pass it on). */
export const emulatedCognitiveServicesEndpoint =
  'https://switchboard-emulator.cognitiveservices.azure.com/';

export const cognitiveServicesNotConfigured = () =>
  new AcsHttpError(
    405,
    '8522',
    'Request not allowed when Cognitive Service Configuration not set during call setup.',
  );

/**
 * An endpoint that is not the app's linked resource: ACS accepts the call and fails the
 * operation when it reaches Cognitive Services (401, 8565 "Cognitive Services Error").
 */
export const cognitiveServicesAuthFailed: ResultInformation = Results.cognitiveServicesAuth;

/** What a connection's endpoint amounts to: none given, a linked resource, or one not linked. */
export type CognitiveServicesLink = 'missing' | 'linked' | 'unlinked';

const normalise = (url: string) => {
  try {
    return new URL(url).href.toLowerCase();
  } catch {
    return url.toLowerCase();
  }
};

/**
 * `allowList` undefined: every well-formed https endpoint counts as linked (the schemas have
 * checked the form). Given: only those, as only the resources linked to an ACS resource work.
 */
export function cognitiveServicesLink(
  endpoint: string | undefined,
  allowList: readonly string[] | undefined,
): CognitiveServicesLink {
  if (!endpoint) return 'missing';
  if (!allowList) return 'linked';
  const given = normalise(endpoint);
  return allowList.some((a) => normalise(a) === given) ? 'linked' : 'unlinked';
}

export const isSpeechSource = (s: PlaySource) => s.kind === 'text' || s.kind === 'ssml';

/**
 * Whether a recognize needs speech services: speech input, or a prompt to synthesise. Choices
 * are recognised by their phrases (the spec requires them), which is speech; choices given
 * with tones only are answered by DTMF alone.
 */
export function recognizeNeedsSpeech(
  inputType: 'dtmf' | 'choices' | 'speech' | 'speechOrDtmf',
  prompts: PlaySource[],
  choices: Choice[],
): boolean {
  if (inputType === 'speech' || inputType === 'speechOrDtmf') return true;
  if (inputType === 'choices' && choices.some((c) => c.phrases.length > 0)) return true;
  return prompts.some(isSpeechSource);
}
