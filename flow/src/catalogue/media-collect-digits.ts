import * as z from 'zod';
import type { PlaySource } from '../actions.js';
import type { CallEvent } from '../events.js';
import { retriesField, secondsField, templateField, variableNameField } from '../fields.js';
import {
  audioUrlField,
  localeField,
  mediaWaitSeconds,
  playSource,
  promptTextField,
  remoteParty,
  voiceField,
} from './shared.js';
import { defineNodeType } from './types.js';

const configSchema = z.strictObject({
  prompt: promptTextField(
    'Prompt',
    'What the caller hears; may use {{ call.from }}, {{ vars.name }} and other variables',
    'Please enter your account number, then press pound.',
  ),
  promptAudioUrl: audioUrlField.meta({
    title: 'Prompt audio file',
    description: 'Optional https:// address of a WAV file; played instead of the prompt text',
    widget: 'text',
  }),
  voice: voiceField,
  locale: localeField,
  maxDigits: z
    .number()
    .int()
    .min(1, { error: 'Collect 1 to 32 digits' })
    .max(32, { error: 'Collect 1 to 32 digits' })
    .default(4)
    .meta({ title: 'Digits', description: 'Stop after this many digits' }),
  stopTone: z.enum(['#', '*', 'none']).default('#').meta({
    title: 'Finish key',
    description: 'A key that ends the entry early (not stored in the variable)',
  }),
  initialSilenceTimeoutSeconds: secondsField(1, 60).default(5).meta({
    title: 'Wait for the first digit (seconds)',
    description: 'How long to wait for the caller to start typing',
  }),
  interDigitTimeoutSeconds: secondsField(1, 60).default(3).meta({
    title: 'Wait between digits (seconds)',
    description: 'How long a pause ends the entry',
  }),
  sensitive: z.boolean().default(false).meta({
    title: 'Sensitive (PIN, card number)',
    description:
      'The digits are masked in the runs API, the run view and exports; the flow can still use them',
  }),
  variable: variableNameField.default('digits').meta({
    title: 'Save as variable',
    description: 'Later nodes read the digits as {{ vars.<name> }}',
    widget: 'variableName',
  }),
  retries: retriesField
    .default(1)
    .meta({ title: 'Retries', description: 'How many times to ask again when nothing was typed' }),
  noInputPrompt: templateField.default('Sorry, I did not get that.').meta({
    title: 'No digits message',
    description: 'Said before asking again when nothing was typed',
    widget: 'template',
  }),
});

const hasTones = (e: CallEvent): boolean => (e.tones?.length ?? 0) > 0;

export const collectDigits = defineNodeType({
  type: 'media.collectDigits',
  version: 1,
  label: 'Collect digits',
  category: 'Media',
  icon: 'NumberSymbol',
  description: 'Asks the caller to type digits and saves them in a variable',
  configSchema,
  outcomes: [
    { id: 'collected', label: 'Collected' },
    { id: 'noInput', label: 'Nothing typed' },
    { id: 'failed', label: 'Failed', failure: true },
  ],
  callControl: 'needsConnectedCall',
  waits: true,
  summary: (c) =>
    `Collect up to ${c.maxDigits} digit${c.maxDigits === 1 ? '' : 's'} into ${c.variable}`,
  action: (ctx) => {
    const c = ctx.config;
    const prompts: PlaySource[] = [];
    if (ctx.retry && c.noInputPrompt.trim() !== '') {
      prompts.push(playSource(ctx, { ...c, text: c.noInputPrompt, audioUrl: '' }));
    }
    prompts.push(playSource(ctx, { ...c, text: c.prompt, audioUrl: c.promptAudioUrl }));
    return {
      kind: 'recognizeDtmf',
      targetParticipant: remoteParty(ctx.call),
      prompts,
      maxTones: c.maxDigits,
      initialSilenceTimeoutSeconds: c.initialSilenceTimeoutSeconds,
      interToneTimeoutSeconds: c.interDigitTimeoutSeconds,
      stopTones: c.stopTone === 'none' ? [] : [c.stopTone],
      interruptPrompt: true,
    };
  },
  // Each attempt is its own wait: the prompts, the silence before the first digit, the gaps.
  maxWaitSeconds: (c, actions) =>
    mediaWaitSeconds(
      actions,
      c.initialSilenceTimeoutSeconds + c.maxDigits * c.interDigitTimeoutSeconds,
    ),
  reissueWhenLost: true,
  retries: (c) => c.retries,
  sampleInputs: (c) => [{ digits: '1234567890'.repeat(4).slice(0, Math.max(1, c.maxDigits)) }],
  events: [
    { on: 'RecognizeCompleted', outcome: 'collected' },
    // A pause after some digits ends the entry: keep what was typed.
    { on: 'RecognizeFailed', subCode: 8532, when: hasTones, outcome: 'collected' },
    { on: 'RecognizeFailed', subCode: 8510, outcome: 'noInput', retry: 'noInput' },
    { on: 'RecognizeFailed', subCode: 8532, outcome: 'noInput', retry: 'noInput' },
    { on: 'RecognizeFailed', outcome: 'failed' },
    { on: 'RecognizeCanceled', outcome: 'failed' },
  ],
  assign: (c, result) => {
    let digits = result.digits ?? '';
    if (c.stopTone !== 'none' && digits.endsWith(c.stopTone)) digits = digits.slice(0, -1);
    return { [c.variable]: digits };
  },
  templates: (c) => [
    ...(c.promptAudioUrl === '' ? [{ path: ['prompt'], text: c.prompt }] : []),
    { path: ['noInputPrompt'], text: c.noInputPrompt },
  ],
  writesVariables: (c) => [c.variable],
  sensitive: (c) => c.sensitive,
});
