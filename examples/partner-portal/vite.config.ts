import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const MANIFEST = fileURLToPath(new URL('../../operations/manifest.json', import.meta.url));
const ID = 'virtual:partner-operations';

/**
 * `virtual:partner-operations`: the partner client's operations of operations/manifest.json
 * (`clientName` partner) — id, name and body — read at build time. Only these reach the bundle,
 * not the other clients' documents.
 */
function partnerOperations(): Plugin {
  return {
    name: 'partner-operations',
    resolveId: (id) => (id === ID ? `\0${ID}` : undefined),
    load(id) {
      if (id !== `\0${ID}`) return undefined;
      this.addWatchFile(MANIFEST);
      const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as {
        operations: { id: string; name: string; type: string; body: string; clientName?: string }[];
      };
      const operations = manifest.operations
        .filter((o) => o.clientName === 'partner')
        .map(({ id: opId, name, type, body }) => ({ id: opId, name, type, body }));
      if (operations.length === 0)
        throw new Error(
          `expected partner operations (clientName "partner") in ${MANIFEST}; run npm run operations:manifest`,
        );
      return `export default ${JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations })};`;
    },
  };
}

export default defineConfig({
  plugins: [react(), partnerOperations()],
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1000 },
});
