import type { AppBridge, McpUiHostContext } from '@modelcontextprotocol/ext-apps/app-bridge';
import { hostThroughAppBridge } from '../../../web/playground/src/app-bridge-host.ts';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { openAiEmulationScript, serveOpenAiEmulation } from '../../../web/playground/src/openai-emulation.ts';
import { widgetCsp, withCsp } from '../../../web/playground/src/widget-csp.ts';

// A test host page that renders a widget the way an MCP Apps host does: the HTML from
// resources/read in a sandboxed srcdoc iframe under the MCP Apps default CSP, bridged with
// ext-apps' own AppBridge (the playground's host, web/playground/src/app-bridge-host.ts). Or, for ChatGPT's older bridge, with only an emulated window.openai
// (the playground's emulation, web/playground/src/openai-emulation.ts).
// Tool calls leave the page through functions the test exposes (real HTTP to the real server).


declare global {
  interface Window {
    /** Exposed by the test: a real tools/call to the real server. */
    hostCallTool(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
    /** Exposed by the test: what the widget asked of the host (messages, links, display modes). */
    hostRecord(kind: string, payload: unknown): Promise<void>;
  }
}

function frame(): HTMLIFrameElement {
  return document.getElementById('widget') as HTMLIFrameElement;
}

export interface McpAppsHostOptions {
  html: string;
  toolInput: Record<string, unknown>;
  toolResult: CallToolResult;
  hostContext: McpUiHostContext;
}

let bridge: AppBridge | undefined;
let context: McpUiHostContext = {};

export async function startMcpAppsHost(options: McpAppsHostOptions): Promise<void> {
  const iframe = frame();
  context = options.hostContext;
  bridge = await hostThroughAppBridge(iframe, {
    name: 'kanban-test-host',
    hostContext: context,
    toolInput: options.toolInput,
    toolResult: options.toolResult,
    handlers: {
      callTool: (params) => window.hostCallTool(params.name, params.arguments ?? {}),
      message: (params) => window.hostRecord('message', params),
      openLink: (params) => window.hostRecord('open-link', params),
      displayMode: (params) => window.hostRecord('display-mode', params),
      height: (height) => {
        iframe.style.height = `${height}px`;
      },
    },
  });
  // Our widget declares no domains: the policy of an MCP Apps host for that.
  iframe.srcdoc = withCsp(options.html, widgetCsp(undefined));
}

export function changeHostContext(change: McpUiHostContext): void {
  context = { ...context, ...change };
  bridge!.setHostContext(context);
}

export interface OpenAiHostOptions {
  html: string;
  toolOutput: unknown;
  toolResponseMetadata: unknown;
  widgetState: unknown;
  theme: 'light' | 'dark';
}

export function startOpenAiHost(options: OpenAiHostOptions): void {
  const iframe = frame();
  const record = (kind: string) => (payload: unknown) => window.hostRecord(kind, payload);
  serveOpenAiEmulation(iframe, {
    callTool: (name, args) => window.hostCallTool(name, args),
    sendFollowUpMessage: record('followUp'),
    setWidgetState: record('widgetState'),
    requestDisplayMode: record('display-mode'),
    openExternal: record('open-link'),
    notifyIntrinsicHeight: (height) => {
      iframe.style.height = `${height}px`;
    },
  });
  const globals = { toolOutput: options.toolOutput, toolResponseMetadata: options.toolResponseMetadata, widgetState: options.widgetState, theme: options.theme };
  iframe.srcdoc = withCsp(options.html, widgetCsp(undefined), openAiEmulationScript(globals));
}
