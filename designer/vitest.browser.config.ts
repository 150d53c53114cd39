import { defineProject } from 'vitest/config';
import { nodeIcons } from './vite.plugins.ts';

/**
 * Browser tests: the real engine (embedded Postgres) serves the built designer, and Debian's
 * Chromium drives it through playwright-core. See test/browser/harness.ts.
 */
export default defineProject({
  // Tests may import designer modules (e.g. node-geometry.ts, through the catalogue's icons).
  plugins: [nodeIcons()],
  test: {
    name: 'designer-browser',
    environment: 'node',
    include: ['test/browser/**/*.spec.ts'],
    globalSetup: ['test/browser/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
