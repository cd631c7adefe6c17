import { createHash } from 'node:crypto';
import { readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { McpUiToolMeta } from '@modelcontextprotocol/ext-apps';
import { RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import type { ReadResourceResult, Resource } from '@modelcontextprotocol/server';

// The widget is an MCP resource: hosts fetch its HTML with resources/read and render it in their
// own sandboxed iframe. Its URI carries a hash of the HTML, because ChatGPT caches templates by
// URI: a new build is a new URI, so nobody keeps seeing an old widget.

/** Where `pnpm build` (vite, web/vite.config.ts) writes the single-file widget. */
export const BUILT_WIDGET_FILE = fileURLToPath(new URL('../../web/dist/index.html', import.meta.url));

export class WidgetNotBuiltError extends Error {}

export interface Widget {
  uri: string;
  /** The resources/list entry. */
  resource: Resource;
  /** The resources/read answer. */
  contents: ReadResourceResult;
  /** What every tool's _meta carries to link the widget (MCP Apps and ChatGPT spellings). */
  toolMeta: Record<string, unknown>;
}

// One self-contained file: the widget loads nothing and connects nowhere, so both lists are empty.
// MCP Apps' standard `ui` keys first; the openai/* ones are ChatGPT's own, kept because ChatGPT
// still reads them (its widget description has no standard field).
const RESOURCE_META = {
  ui: { prefersBorder: true, csp: { connectDomains: [], resourceDomains: [] } },
  'openai/widgetDescription': 'A Kanban board: its columns with their cards, or a list of boards to open. The user can add, move and edit cards here once signed in.',
  'openai/widgetPrefersBorder': true,
  'openai/widgetCSP': { connect_domains: [], resource_domains: [] },
};

function readBuiltHtml(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new WidgetNotBuiltError(`the widget is not built (${file} is missing): run "pnpm build" once, or use "pnpm dev", which builds it, then start again.`);
  }
}

/**
 * ChatGPT's widget domain: the app's own https origin (ChatGPT's directory asks for one; it
 * derives the widget's sandbox origin from it, or since December 2026 from the MCP URL). Only
 * ChatGPT's key: MCP Apps' `ui.domain` has a format each host defines, and no other host needs it.
 */
function resourceMeta(publicUrl: string | undefined) {
  return publicUrl?.startsWith('https:') ? { ...RESOURCE_META, 'openai/widgetDomain': publicUrl } : RESOURCE_META;
}

/** `publicUrl`: where the server is reached (the widget domain ChatGPT reads, when it is https). */
export function loadWidget(file = BUILT_WIDGET_FILE, publicUrl?: string): Widget {
  const html = readBuiltHtml(file);
  const meta = resourceMeta(publicUrl);
  const uri = `ui://widget/kanban-${createHash('sha256').update(html).digest('hex').slice(0, 16)}.html`;
  return {
    uri,
    resource: { uri, name: 'kanban-board', title: 'Kanban board', description: RESOURCE_META['openai/widgetDescription'], mimeType: RESOURCE_MIME_TYPE, _meta: meta },
    // registerAppResource-style hosts read mimeType from the contents, not from the listing.
    contents: { contents: [{ uri, mimeType: RESOURCE_MIME_TYPE, text: html, _meta: meta }] },
    toolMeta: {
      // Both the model and the widget may call every tool (MCP Apps' default, said explicitly).
      ui: { resourceUri: uri, visibility: ['model', 'app'] } satisfies McpUiToolMeta,
      'ui/resourceUri': uri, // the spelling of MCP Apps drafts, still read by older hosts
      // ChatGPT's aliases of the two above, still read by ChatGPT's window.openai bridge.
      'openai/outputTemplate': uri,
      'openai/widgetAccessible': true,
    },
  };
}

/**
 * Outside production: calls `changed` with each new build of the widget written to `file`, so the
 * server serves it at its new URI without a restart. pnpm dev publishes by rename, whole; a file
 * written in place (pnpm build) may be read half-written, and the write's next event serves the
 * whole one 50 ms later. A file caught missing is skipped. Returns the function that stops following.
 */
export function followWidgetBuilds(file: string, publicUrl: string, current: Widget, changed: (widget: Widget) => void): () => void {
  let served = current.uri;
  let pending: NodeJS.Timeout | undefined;
  const reload = () => {
    try {
      const next = loadWidget(file, publicUrl);
      if (next.uri === served) return;
      served = next.uri;
      changed(next);
    } catch {
      // between a build's unlink and its rename, say
    }
  };
  const watcher = watch(dirname(file), (_event, name) => {
    if (name !== basename(file)) return;
    clearTimeout(pending);
    pending = setTimeout(reload, 50);
  });
  // The folder removed, say: the server keeps the widget it has.
  watcher.on('error', () => watcher.close());
  return () => {
    clearTimeout(pending);
    watcher.close();
  };
}
