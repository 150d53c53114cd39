import react from '@vitejs/plugin-react';
import { defineProject } from 'vitest/config';
import { flowSourceAlias } from '../vitest.shared.ts';
import { nodeIcons } from './vite.plugins.ts';

/** Component and store tests in jsdom. The browser tests are the `designer-browser` project. */
export default defineProject({
  plugins: [react(), nodeIcons()],
  resolve: { alias: flowSourceAlias },
  test: {
    name: 'designer',
    environment: 'jsdom',
    include: ['src/**/*.spec.{ts,tsx}', 'test/unit/**/*.spec.{ts,tsx}'],
    setupFiles: ['./test/unit/setup.ts'],
    testTimeout: 20_000,
  },
});
