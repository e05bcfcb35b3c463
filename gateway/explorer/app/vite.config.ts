import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The development explorer: GraphiQL and its Monaco editor workers bundled into
 * dist/explorer, served by the gateway under /explorer. Nothing is loaded from a CDN.
 */
export default defineConfig({
  root: here,
  base: '/explorer/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: resolve(here, '../../../dist/explorer'),
    emptyOutDir: true,
    sourcemap: false,
    // GraphiQL with Monaco is a few MB; it is served from the gateway itself, once per developer.
    chunkSizeWarningLimit: 8000,
    rolldownOptions: {
      // Two pages: the explorer (index.html, development only) and the operations console (ops.html).
      input: { explorer: resolve(here, 'index.html'), ops: resolve(here, 'ops.html') },
      // GraphiQL's React-compiler hints ("use no memo") are dropped by bundling, harmlessly.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  worker: { format: 'es' },
});
