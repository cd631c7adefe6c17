import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';

// The widget ships as one self-contained HTML file: hosts render it from an MCP resource in a
// sandboxed iframe with no server of ours behind it, so every script and style is inlined.

/**
 * zod re-exports every locale (≈40 kB of messages) from `zod/v4/locales`; the widget never shows
 * zod's messages, and English is imported separately, so the index of all locales becomes empty.
 */
function withoutZodLocales(): Plugin {
  const empty = '\0empty-zod-locales';
  return {
    name: 'kanban:without-zod-locales',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === '../locales/index.js' && importer?.includes('/zod/')) return empty;
      return null;
    },
    load(id) {
      return id === empty ? 'export {};' : null;
    },
  };
}

/** The build of one single-file page: the widget, and (for the benchmark) a React-only page. */
export function singleFilePage(root: string, outDir: string): UserConfig {
  return {
    root,
    base: './',
    logLevel: 'warn',
    plugins: [react(), withoutZodLocales(), viteSingleFile()],
    build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  };
}

const webRoot = fileURLToPath(new URL('.', import.meta.url));
export default defineConfig(singleFilePage(webRoot, fileURLToPath(new URL('./dist', import.meta.url))));
