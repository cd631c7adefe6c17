import type { McpUiResourceCsp } from '@modelcontextprotocol/ext-apps/app-bridge';

// The Content-Security-Policy an MCP Apps host puts on a widget, from the lists its resource
// declares (`_meta.ui.csp`): nothing from the network unless declared, inline script and style
// allowed (a single-file widget is all inline). ext-apps documents the mapping but ships no builder.

function sources(base: string[], domains: string[] | undefined): string {
  return [...base, ...(domains ?? [])].join(' ');
}

/**
 * `devServer`: the origin the hot-reloaded widget loads its modules from and keeps its reload
 * socket open to, allowed on top of what the resource declares (the playground's live widget).
 */
export function widgetCsp(declared: McpUiResourceCsp | undefined, devServer?: string): string {
  const dev = devServer ? [devServer] : [];
  const resources = [...(declared?.resourceDomains ?? []), ...dev];
  const connectDomains = [...(declared?.connectDomains ?? []), ...dev, ...dev.map((origin) => origin.replace(/^http/, 'ws'))];
  const connect = connectDomains.length ? connectDomains.join(' ') : "'none'";
  const frames = declared?.frameDomains?.length ? declared.frameDomains.join(' ') : "'none'";
  const base = declared?.baseUriDomains?.length ? declared.baseUriDomains.join(' ') : "'self'";
  return [
    "default-src 'none'",
    `script-src ${sources(["'self'", "'unsafe-inline'"], resources)}`,
    `style-src ${sources(["'self'", "'unsafe-inline'"], resources)}`,
    `img-src ${sources(["'self'", 'data:'], resources)}`,
    `font-src ${sources(["'self'"], resources)}`,
    `media-src ${sources(["'self'", 'data:'], resources)}`,
    `connect-src ${connect}`,
    `frame-src ${frames}`,
    `base-uri ${base}`,
  ].join('; ');
}

/** The widget's HTML with its policy first in <head>, before any of its own scripts can run. */
export function withCsp(html: string, policy: string, injected = ''): string {
  const head = `<meta http-equiv="Content-Security-Policy" content="${policy.replace(/"/g, '&quot;')}">${injected}`;
  // <head>, not <header>: without one, the policy goes first and the parser puts it in the head it makes.
  const opening = /<head(\s[^>]*)?>/i;
  return opening.test(html) ? html.replace(opening, (open) => `${open}${head}`) : `${head}${html}`;
}
