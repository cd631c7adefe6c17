import { readFileSync } from 'node:fs';
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

/** The names a module of zod's exports: `export const|function|class X` and `export { a as b }`. */
function exportedNames(code: string): string[] {
  const declared = [...code.matchAll(/^export (?:const|let|function|class) (\w+)/gm)].map((match) => match[1]!);
  const listed = [...code.matchAll(/^export \{([^}]*)\}/gm)].flatMap((match) => match[1]!.split(',').map((item) => item.trim().split(/\s+as\s+/).at(-1)!).filter(Boolean));
  return [...declared, ...listed];
}

/**
 * zod's JSON Schema conversion (`z.toJSONSchema`, `~standard.jsonSchema`, ≈20 kB) runs only for
 * whoever describes a schema as JSON Schema: an MCP server listing its tools, or an app that
 * registers tools of its own. The widget does neither, so both modules become stubs that throw if
 * ever called; the factories zod calls when `~standard` is read return such a thrower. The one
 * helper zod's schemas use outside conversion (`aggregateChecks`, behind `.minLength`, `.format`…)
 * stays the real one.
 */
function withoutZodJsonSchema(): Plugin {
  const stub = '\0zod-json-schema-stub:';
  const keep: Record<string, string[]> = { 'json-schema-processors.js': ['aggregateChecks'], 'to-json-schema.js': [] };
  return {
    name: 'kanban:without-zod-json-schema',
    enforce: 'pre',
    async resolveId(source, importer) {
      const file = source.split('/').at(-1)!;
      if (!(file in keep) || !importer?.includes('/zod/') || importer.startsWith(stub)) return null;
      const real = await this.resolve(source, importer, { skipSelf: true });
      return real ? stub + real.id : null;
    },
    load(id) {
      if (!id.startsWith(stub)) return null;
      const real = id.slice(stub.length);
      const kept = keep[real.split('/').at(-1)!]!;
      const lines = ["const leftOut = () => { throw new Error('zod JSON Schema conversion is not in the widget build'); };"];
      if (kept.length) lines.push(`export { ${kept.join(', ')} } from ${JSON.stringify(real)};`);
      for (const name of exportedNames(readFileSync(real, 'utf8'))) {
        if (!kept.includes(name)) lines.push(`export const ${name} = ${name.startsWith('create') ? '() => leftOut' : 'leftOut'};`);
      }
      return lines.join('\n');
    },
  };
}

/** The build of one single-file page: the widget, and (for the benchmark) a React-only page. */
export function singleFilePage(root: string, outDir: string): UserConfig {
  return {
    root,
    base: './',
    logLevel: 'warn',
    plugins: [react(), withoutZodLocales(), withoutZodJsonSchema(), viteSingleFile()],
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      reportCompressedSize: false,
      // The MCP SDK packages declare no `sideEffects`, so each module of theirs that the bridge
      // imports nothing from (the Client class, its JSON Schema validator…) would stay in.
      rolldownOptions: { treeshake: { moduleSideEffects: [{ test: /\/node_modules\/@modelcontextprotocol\/(client|core)\//, sideEffects: false }] } },
    },
  };
}

const webRoot = fileURLToPath(new URL('.', import.meta.url));
export default defineConfig(singleFilePage(webRoot, fileURLToPath(new URL('./dist', import.meta.url))));
