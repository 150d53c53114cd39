import * as z from 'zod';
import { templateField } from '../fields.js';
import {
  audioUrlField,
  localeField,
  mediaWaitSeconds,
  playSource,
  quote,
  voiceField,
} from './shared.js';
import { defineNodeType } from './types.js';

export const play = defineNodeType({
  type: 'media.play',
  version: 1,
  label: 'Play',
  category: 'Media',
  icon: 'Play',
  description: 'Speaks a message (text-to-speech) or plays an audio file to the call',
  configSchema: z.strictObject({
    text: templateField.default('Thank you for calling.').meta({
      title: 'Message',
      description: 'Text to speak; may use {{ call.from }}, {{ vars.name }} and other variables',
      widget: 'template',
    }),
    audioUrl: audioUrlField.meta({
      title: 'Audio file',
      description: 'Optional https:// address of a WAV file; played instead of the message',
      widget: 'text',
    }),
    voice: voiceField,
    locale: localeField,
  }),
  outcomes: [
    { id: 'completed', label: 'Completed' },
    { id: 'failed', label: 'Failed', failure: true },
  ],
  callControl: 'needsConnectedCall',
  waits: true,
  summary: (c) => (c.audioUrl !== '' ? 'Play an audio file' : `Say ${quote(c.text)}`),
  action: (ctx) => ({
    kind: 'play',
    sources: [playSource(ctx, { ...ctx.config, text: ctx.config.text })],
    playTo: [],
  }),
  maxWaitSeconds: (_c, actions) => mediaWaitSeconds(actions),
  reissueWhenLost: true,
  events: [
    { on: 'PlayCompleted', outcome: 'completed' },
    { on: 'PlayFailed', outcome: 'failed' },
    { on: 'PlayCanceled', outcome: 'failed' },
  ],
  templates: (c) => (c.audioUrl !== '' ? [] : [{ path: ['text'], text: c.text }]),
});
