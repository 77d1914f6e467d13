import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const formEngine = fileURLToPath(new URL('../form-engine/src/index.ts', import.meta.url));

export default defineConfig(({ command }) => {
  // A build is always the production bundle, even when started from a test runner that sets NODE_ENV=test.
  if (command === 'build') process.env.NODE_ENV = 'production';
  return {
    plugins: [react()],
    resolve: {
      // The engine ships TypeScript sources; point straight at them so the browser and the server run the same code.
      alias: { '@qiao/form-engine': formEngine },
    },
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      chunkSizeWarningLimit: 1500,
    },
    server: {
      proxy: { '/api': process.env.QIAO_API ?? 'http://127.0.0.1:3000' },
    },
  };
});
