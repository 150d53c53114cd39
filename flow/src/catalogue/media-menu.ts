import * as z from 'zod';
import type { PlaySource } from '../actions.js';
import { tonesToDigits, type CallEvent } from '../events.js';
import { retriesField, secondsField, templateField } from '../fields.js';
import {
  audioUrlField,
  localeField,
  mediaWaitSeconds,
  playSource,
  promptTextField,
  remoteParty,
  voiceField,
} from './shared.js';
import { defineNodeType, type OutcomeDescription } from './types.js';

export const MENU_DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'] as const;

/** Menu outcome ids are `choice:<digit>`, e.g. `choice:1`, `choice:0`, `choice:#`. */
export function menuChoiceOutcome(digit: string): string {
  return `choice:${digit}`;
}

const configSchema = z.strictObject({
  prompt: promptTextField(
    'Prompt',
    'What the caller hears; may use {{ call.from }}, {{ vars.name }} and other variables',
    'For sales, press 1. For support, press 2.',
  ),
  promptAudioUrl: audioUrlField.meta({
    title: 'Prompt audio file',
    description: 'Optional https:// address of a WAV file; played instead of the prompt text',
    widget: 'text',
  }),
  voice: voiceField,
  locale: localeField,
  choices: z
    .array(
      z.strictObject({
        digit: z
          .enum(MENU_DIGITS)
          .meta({ title: 'Key', description: 'The key the caller presses' }),
        label: z
          .string()
          .min(1, { error: 'Name this choice, e.g. Sales' })
          .max(60)
          .meta({ title: 'Name', description: 'Shown on the outcome, e.g. Sales', widget: 'text' }),
      }),
    )
    .min(1, { error: 'Add at least one choice' })
    .max(12)
    .superRefine((choices, ctx) => {
      const seen = new Set<string>();
      choices.forEach((c, i) => {
        if (seen.has(c.digit)) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'digit'],
            message: `Key ${c.digit} is used by more than one choice`,
          });
        }
        seen.add(c.digit);
      });
    })
    .default([
      { digit: '1', label: 'Sales' },
      { digit: '2', label: 'Support' },
    ])
    .meta({ title: 'Choices', description: 'One outcome per key', widget: 'choices' }),
  initialSilenceTimeoutSeconds: secondsField(1, 60).default(5).meta({
    title: 'Wait for a key (seconds)',
    description: 'How long to wait for the caller to press a key after the prompt',
  }),
  retries: retriesField.default(2).meta({
    title: 'Retries',
    description: 'How many times to ask again after no key or a wrong key, before giving up',
  }),
  noInputPrompt: templateField.default('Sorry, I did not hear a choice.').meta({
    title: 'No key message',
    description: 'Said before asking again when the caller pressed nothing',
    widget: 'template',
  }),
  invalidPrompt: templateField.default('Sorry, that is not a valid choice.').meta({
    title: 'Wrong key message',
    description: 'Said before asking again when the caller pressed a key with no choice',
    widget: 'template',
  }),
});

type MenuConfig = z.output<typeof configSchema>;

function pressed(event: CallEvent): string {
  return tonesToDigits(event.tones).slice(0, 1);
}

function isChoice(event: CallEvent, config: MenuConfig): boolean {
  const digit = pressed(event);
  return digit !== '' && config.choices.some((c) => c.digit === digit);
}

export const menu = defineNodeType({
  type: 'media.menu',
  version: 1,
  label: 'Menu',
  category: 'Media',
  icon: 'Dialpad',
  description: 'Asks the caller to press a key and follows the matching choice',
  configSchema,
  outcomes: (c) => [
    ...c.choices.map((ch): OutcomeDescription => ({
      id: menuChoiceOutcome(ch.digit),
      label: `${ch.digit} · ${ch.label}`,
    })),
    { id: 'noInput', label: 'No key pressed' },
    { id: 'invalid', label: 'Wrong key' },
    { id: 'failed', label: 'Failed', failure: true },
  ],
  callControl: 'needsConnectedCall',
  waits: true,
  summary: (c) => c.choices.map((ch) => `${ch.digit} ${ch.label}`).join(' · ') || 'Menu',
  action: (ctx) => {
    const c = ctx.config;
    const prompts: PlaySource[] = [];
    if (ctx.retry) {
      const text = ctx.retry.reason === 'invalid' ? c.invalidPrompt : c.noInputPrompt;
      if (text.trim() !== '') prompts.push(playSource(ctx, { ...c, text, audioUrl: '' }));
    }
    prompts.push(playSource(ctx, { ...c, text: c.prompt, audioUrl: c.promptAudioUrl }));
    return {
      kind: 'recognizeDtmf',
      targetParticipant: remoteParty(ctx.call),
      prompts,
      maxTones: 1,
      initialSilenceTimeoutSeconds: c.initialSilenceTimeoutSeconds,
      interToneTimeoutSeconds: 2,
      stopTones: [],
      interruptPrompt: true,
    };
  },
  // Each attempt is its own wait: the prompts, then the silence before a key (and 2 s after it).
  maxWaitSeconds: (c, actions) => mediaWaitSeconds(actions, c.initialSilenceTimeoutSeconds + 2),
  reissueWhenLost: true,
  retries: (c) => c.retries,
  sampleInputs: (c) => {
    const wrong = MENU_DIGITS.find((d) => !c.choices.some((ch) => ch.digit === d));
    return [
      ...c.choices.map((ch) => ({ digits: ch.digit })),
      ...(wrong ? [{ digits: wrong }] : []),
    ];
  },
  events: [
    { on: 'RecognizeCompleted', when: isChoice, pick: (e) => menuChoiceOutcome(pressed(e)) },
    { on: 'RecognizeCompleted', outcome: 'invalid', retry: 'invalid' },
    { on: 'RecognizeFailed', subCode: 8510, outcome: 'noInput', retry: 'noInput' },
    { on: 'RecognizeFailed', subCode: 8532, outcome: 'noInput', retry: 'noInput' },
    { on: 'RecognizeFailed', outcome: 'failed' },
    { on: 'RecognizeCanceled', outcome: 'failed' },
  ],
  templates: (c) => [
    ...(c.promptAudioUrl === '' ? [{ path: ['prompt'], text: c.prompt }] : []),
    { path: ['noInputPrompt'], text: c.noInputPrompt },
    { path: ['invalidPrompt'], text: c.invalidPrompt },
  ],
});
