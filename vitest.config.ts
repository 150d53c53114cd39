import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'flow',
      'emulator',
      'engine',
      'designer',
      'designer/vitest.browser.config.ts',
      'bench',
    ],
  },
});
