// The dashboard builds to web/dist and is served by the API at /ui/; `npm run dev` proxies to the API.
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const api = `http://127.0.0.1:${process.env.HARNESS_PORT || 8000}`;

export default defineConfig({
  root: import.meta.dirname,
  base: '/ui/',
  plugins: [vue()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': api, '/ws': { target: api.replace('http', 'ws'), ws: true } } },
});
