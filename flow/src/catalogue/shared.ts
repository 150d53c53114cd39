import * as z from 'zod';
import type { ActionDraft, CustomCallingContext, PlaySource } from '../actions.js';
import { headersField, templateField } from '../fields.js';
import type { CallInfo } from '../state.js';
import type { NodeContext, TemplateRef } from './types.js';

export const DEFAULT_VOICE = 'en-US-JennyNeural';
export const DEFAULT_LOCALE = 'en-US';

export const voiceField = z.string().max(100).default(DEFAULT_VOICE).meta({
  title: 'Voice',
  description: 'The voice that reads the text, by language',
  widget: 'voice',
});

export const localeField = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { error: 'Use a locale such as en-US or fr-FR' })
  .default(DEFAULT_LOCALE)
  .meta({
    title: 'Language',
    description: 'Locale of the spoken text, e.g. en-US',
    widget: 'text',
  });

export const audioUrlField = z
  .string()
  .refine((s) => s === '' || /^https?:\/\/\S+$/.test(s), {
    error: 'Enter a web address starting with https://, or leave empty',
  })
  .default('');

export function voipHeadersField() {
  return headersField.default([]).meta({
    title: 'VoIP headers',
    description:
      'Custom headers sent to app and Teams users (their names get an X-MS-Custom- prefix)',
    widget: 'assignments',
    advanced: true,
  });
}

export function sipHeadersField() {
  return headersField.default([]).meta({
    title: 'SIP headers',
    description: 'Custom SIP headers sent to phone numbers (User-To-User or X-MS-Custom-…)',
    widget: 'assignments',
    advanced: true,
  });
}

export function promptTextField(title: string, description: string, defaultText: string) {
  return templateField.default(defaultText).meta({ title, description, widget: 'template' });
}

/** The party a node acts on when the analyst leaves the target empty: the person on the call. */
export function remoteParty(call: Readonly<CallInfo>): string {
  return call.direction === 'incoming' ? call.from : (call.targets?.[0] ?? call.to);
}

/** A text-to-speech or audio-file prompt, with the text rendered. */
export function playSource(
  ctx: NodeContext<unknown>,
  p: { text: string; audioUrl: string; voice: string; locale: string },
): PlaySource {
  if (p.audioUrl !== '') return { kind: 'file', url: p.audioUrl };
  return { kind: 'text', text: ctx.render(p.text), voice: p.voice, locale: p.locale };
}

/**
 * A generous estimate of how long prompts take to say: 100 ms a character (text-to-speech runs
 * at about 70) plus a second each; an audio file's length is unknown, so two minutes.
 */
export function speakingSeconds(sources: readonly PlaySource[]): number {
  let s = 0;
  for (const p of sources) s += p.kind === 'file' ? 120 : 1 + p.text.length * 0.1;
  return Math.ceil(s);
}

/** The prompts of the actions a media node issued. */
export function promptsOf(actions: readonly ActionDraft[]): PlaySource[] {
  return actions.flatMap((a) =>
    a.kind === 'play' ? a.sources : a.kind === 'recognizeDtmf' ? a.prompts : [],
  );
}

/** Seconds after which a media callback is overdue: the prompts, then `listening`, then a margin. */
export const mediaWaitSeconds = (actions: readonly ActionDraft[], listening = 0) =>
  speakingSeconds(promptsOf(actions)) + listening + 10;

type Header = { name: string; value: string };

export function customCallingContext(
  ctx: NodeContext<unknown>,
  voip: readonly Header[],
  sip: readonly Header[],
): CustomCallingContext | undefined {
  if (voip.length === 0 && sip.length === 0) return undefined;
  const render = (hs: readonly Header[]) =>
    Object.fromEntries(hs.map((h) => [h.name, ctx.render(h.value)]));
  return { voipHeaders: render(voip), sipHeaders: render(sip) };
}

export function headerTemplates(key: string, hs: readonly Header[]): TemplateRef[] {
  return hs.map((h, i) => ({ path: [key, i, 'value'], text: h.value }));
}

export function quote(s: string, max = 40): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return `“${t.length > max ? `${t.slice(0, max - 1)}…` : t}”`;
}
