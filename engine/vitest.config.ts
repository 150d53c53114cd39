import swc from 'unplugin-swc';
import { defineProject } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import { flowSourceAlias } from '../vitest.shared.ts';

export default defineProject({
  // SWC, unlike esbuild/oxc, emits decorator metadata, which Nest's dependency injection reads.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: {
      ...flowSourceAlias,
      '@switchboard/emulator': fileURLToPath(new URL('../emulator/src/index.ts', import.meta.url)),
    },
  },
  test: {
    name: 'engine',
    include: ['test/**/*.spec.ts', 'src/**/*.spec.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 90_000,
    env: { LOG_LEVEL: 'silent' },
  },
});
