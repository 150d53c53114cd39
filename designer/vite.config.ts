import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { flowSourceAlias } from '../vitest.shared.ts';
import { nodeIcons } from './vite.plugins.ts';

const engine = `http://127.0.0.1:${process.env.ENGINE_PORT ?? '3000'}`;

export default defineConfig({
  plugins: [react(), nodeIcons()],
  resolve: { alias: flowSourceAlias },
  server: {
    proxy: {
      '/api': { target: engine, changeOrigin: false },
      '/health': { target: engine, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    chunkSizeWarningLimit: 2000,
  },
});
