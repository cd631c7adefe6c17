import { AppBridge, PostMessageTransport, type McpUiHostContext } from '@modelcontextprotocol/ext-apps/app-bridge';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { MCP_APPS_DEFAULT_CSP } from './csp.ts';

// A test host page that renders a widget the way an MCP Apps host does: the HTML from
// resources/read in a sandboxed srcdoc iframe under the MCP Apps default CSP, bridged with
// ext-apps' own AppBridge. Or, for ChatGPT's older bridge, with only an emulated window.openai.
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

/** The widget's HTML with the CSP first in <head>, then anything the host injects. */
function prepare(html: string, injected = ''): string {
  const head = `<meta http-equiv="Content-Security-Policy" content="${MCP_APPS_DEFAULT_CSP}">${injected}`;
  return html.replace(/<head>/i, `<head>${head}`);
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
  bridge = new AppBridge(null, { name: 'kanban-test-host', version: '1.0.0' }, { openLinks: {}, serverTools: {}, message: { text: {} } }, { hostContext: context });
  // Every tool of ours is visible to the app (no ui.visibility), so there is nothing to withhold.
  bridge.oncalltool = (params) => window.hostCallTool(params.name, params.arguments ?? {});
  bridge.onmessage = async (params) => {
    await window.hostRecord('message', params);
    return {};
  };
  bridge.onopenlink = async (params) => {
    await window.hostRecord('open-link', params);
    return {};
  };
  bridge.onrequestdisplaymode = async (params) => {
    await window.hostRecord('display-mode', params);
    return { mode: params.mode };
  };
  bridge.onsizechange = ({ height }) => {
    if (height !== undefined) iframe.style.height = `${height}px`;
  };
  bridge.oninitialized = () => {
    void bridge!.sendToolInput({ arguments: options.toolInput });
    void bridge!.sendToolResult(options.toolResult);
  };
  // Listen before the widget loads: its ui/initialize is sent as soon as its script runs.
  await bridge.connect(new PostMessageTransport(iframe.contentWindow!, iframe.contentWindow!));
  iframe.srcdoc = prepare(options.html);
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

// Injected before the widget's script, as ChatGPT does. Calls travel over a MessageChannel, so
// the widget's own postMessage transport (waiting for an MCP Apps host) never sees them.
const OPENAI_EMULATION = (globals: string) => `<script>
(() => {
  const channel = new MessageChannel();
  const waiting = new Map();
  let next = 1;
  const ask = (kind, payload) => new Promise((resolve, reject) => {
    const id = next++;
    waiting.set(id, { resolve, reject });
    channel.port1.postMessage({ id, kind, payload });
  });
  channel.port1.onmessage = (event) => {
    const { id, result, error } = event.data;
    const call = waiting.get(id);
    waiting.delete(id);
    if (error) call.reject(new Error(error)); else call.resolve(result);
  };
  window.parent.postMessage({ openaiEmulation: 'connect' }, '*', [channel.port2]);
  window.openai = Object.assign(${globals}, {
    callTool: (name, args) => ask('callTool', { name, args }),
    sendFollowUpMessage: (args) => ask('followUp', args),
    setWidgetState: (state) => {
      window.openai.widgetState = state;
      // As ChatGPT does: every change of a global is announced, the widget's own state too.
      window.dispatchEvent(new CustomEvent('openai:set_globals', { detail: { globals: { widgetState: state } } }));
      return ask('widgetState', state);
    },
  });
})();
</script>`;

export function startOpenAiHost(options: OpenAiHostOptions): void {
  const iframe = frame();
  window.addEventListener('message', (event) => {
    if (event.source !== iframe.contentWindow || event.data?.openaiEmulation !== 'connect') return;
    const port = event.ports[0]!;
    port.onmessage = async ({ data }) => {
      try {
        const result = data.kind === 'callTool' ? await window.hostCallTool(data.payload.name, data.payload.args) : await window.hostRecord(data.kind, data.payload);
        port.postMessage({ id: data.id, result: result ?? null });
      } catch (error) {
        port.postMessage({ id: data.id, error: String(error) });
      }
    };
  });
  const globals = JSON.stringify({ toolOutput: options.toolOutput, toolResponseMetadata: options.toolResponseMetadata, widgetState: options.widgetState, theme: options.theme }).replace(/</g, '\\u003c');
  iframe.srcdoc = prepare(options.html, OPENAI_EMULATION(globals));
}
