import { defineConfig } from 'vite';

// The UI is served by `vigil server` at / (or under --web.route-prefix), so asset URLs are
// relative by default; VIGIL_UI_BASE overrides the base for an absolute prefix.
export default defineConfig({
  root: import.meta.dirname,
  base: process.env['VIGIL_UI_BASE'] ?? './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    target: 'es2022',
  },
});
