import './zod-jitless.ts'; // first: before the SDK builds its schemas
import { applyDocumentTheme, applyHostFonts, applyHostStyleVariables, type McpUiHostContext } from '@modelcontextprotocol/ext-apps';

// The MCP Apps bridge: ext-apps' App over postMessage, with the MCP SDK's Protocol and zod's
// schemas under it, most of the widget's code. use-host.ts imports it dynamically when the first
// render is on screen: the build inlines it in the one HTML file all the same (hosts fetch only
// that), but its modules, and the hundreds of schemas they build, are evaluated after the first
// paint instead of before it. Only the root entry of ext-apps: its React entry adds nothing we use
// but useApp, which use-host.ts does itself around this import.

export { App, PostMessageTransport } from '@modelcontextprotocol/ext-apps';

export function applyHostContext(context: McpUiHostContext | undefined): void {
  if (!context) return;
  if (context.theme) applyDocumentTheme(context.theme);
  if (context.locale) document.documentElement.lang = context.locale;
  if (context.styles?.variables) applyHostStyleVariables(context.styles.variables);
  if (context.styles?.css?.fonts) applyHostFonts(context.styles.css.fonts);
}
