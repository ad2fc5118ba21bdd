import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development (`npm run dev -w @vigil/web`) the API and WebSocket are proxied to the server.
const target = process.env.VIGIL_API ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['vigil-source'] },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      '/api/v1/ws': { target, ws: true },
      '/api': target,
    },
  },
});
