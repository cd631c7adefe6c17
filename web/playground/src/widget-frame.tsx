import { useEffect, useRef } from 'react';
import type { AppBridge, McpUiHostContext, McpUiResourceCsp } from '@modelcontextprotocol/ext-apps/app-bridge';
import { hostThroughAppBridge } from './app-bridge-host.ts';
import type { CallToolResult } from '@modelcontextprotocol/client';
import type { MessageLog } from './message-log.ts';
import { openAiEmulationScript, serveOpenAiEmulation, type OpenAiHost } from './openai-emulation.ts';
import { contentText } from './transcript.ts';
import { widgetCsp, withCsp } from './widget-csp.ts';

// One tool call's widget, hosted as an MCP Apps host does it: the resource's HTML in a sandboxed
// srcdoc iframe (scripts only, an opaque origin), under the CSP its resource declares, talking to
// the playground through ext-apps' AppBridge. Or, the other bridge, through an emulated
// window.openai only, as ChatGPT's older widget API. Whatever the widget asks of the host goes to
// the playground's handlers; its tool calls go to the server through the playground's client.

export type Bridge = 'mcp-apps' | 'openai';

export interface WidgetHostHandlers {
  callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  followUp(text: string): void;
  openLink(url: string): void;
  displayMode(mode: string): void;
}

export interface WidgetFrameProps {
  bridge: Bridge;
  html: string;
  csp: McpUiResourceCsp | undefined;
  /** The widget is served from source by Vite here: its policy allows this origin too. */
  live: boolean;
  toolInput: Record<string, unknown>;
  toolResult: CallToolResult;
  hostContext: McpUiHostContext;
  handlers: WidgetHostHandlers;
  log: MessageLog;
  title: string;
}

/** The frame as tall as the widget says it is, within reason (a widget may say anything). */
function fitHeight(iframe: HTMLIFrameElement, height: number): void {
  iframe.style.height = `${Math.min(height, 2000)}px`;
}

function policyOf(props: Pick<WidgetFrameProps, 'csp' | 'live'>): string {
  return widgetCsp(props.csp, props.live ? location.origin : undefined);
}

/** The globals ChatGPT gives window.openai from its host context. */
function openAiGlobalsOf(context: McpUiHostContext): Record<string, unknown> {
  const maxHeight = context.containerDimensions && 'maxHeight' in context.containerDimensions ? context.containerDimensions.maxHeight : undefined;
  return { theme: context.theme, locale: context.locale, displayMode: context.displayMode, maxHeight };
}

/** The widget through window.openai alone; returns what tells it of host changes. */
function hostThroughOpenAi(iframe: HTMLIFrameElement, props: WidgetFrameProps, latest: { current: { handlers: WidgetHostHandlers; hostContext: McpUiHostContext } }): OpenAiHost {
  const host = serveOpenAiEmulation(iframe, {
    callTool: (name, args) => latest.current.handlers.callTool(name, args),
    sendFollowUpMessage: ({ prompt }) => latest.current.handlers.followUp(prompt),
    // The widget keeps its state in window.openai.widgetState itself; ChatGPT would hand it back
    // when it shows the same message again, which a playground frame never is.
    setWidgetState: () => null,
    requestDisplayMode: ({ mode }) => {
      latest.current.handlers.displayMode(mode);
      return { mode };
    },
    openExternal: ({ href }) => latest.current.handlers.openLink(href),
    notifyIntrinsicHeight: (height) => fitHeight(iframe, height),
  });
  const globals = {
    ...openAiGlobalsOf(latest.current.hostContext),
    toolInput: props.toolInput,
    toolOutput: props.toolResult.structuredContent ?? null,
    toolResponseMetadata: props.toolResult._meta ?? null,
    widgetState: null,
  };
  iframe.srcdoc = withCsp(props.html, policyOf(props), openAiEmulationScript(globals));
  return host;
}

export function WidgetFrame(props: WidgetFrameProps) {
  const { bridge: kind, html, csp, live, toolInput, toolResult, hostContext, handlers, log, title } = props;
  const frame = useRef<HTMLIFrameElement>(null);
  const bridge = useRef<AppBridge | undefined>(undefined);
  const openAiHost = useRef<OpenAiHost | undefined>(undefined);
  const latest = useRef({ handlers, hostContext });
  latest.current = { handlers, hostContext };

  useEffect(() => {
    const iframe = frame.current!;
    if (kind === 'openai') {
      const host = hostThroughOpenAi(iframe, props, latest);
      openAiHost.current = host;
      return () => {
        openAiHost.current = undefined;
        host.close();
      };
    }
    let cancelled = false;
    const connected = hostThroughAppBridge(iframe, {
      name: 'kanban-mcp-playground',
      hostContext: latest.current.hostContext,
      toolInput,
      toolResult,
      handlers: {
        callTool: (params) => latest.current.handlers.callTool(params.name, params.arguments ?? {}),
        message: (params) => latest.current.handlers.followUp(contentText(params.content)),
        openLink: ({ url }) => latest.current.handlers.openLink(url),
        displayMode: ({ mode }) => latest.current.handlers.displayMode(mode),
        height: (height) => fitHeight(iframe, height),
      },
      wrap: (transport) => log.wrap(transport, 'widget'),
    });
    void connected.then((host) => {
      if (cancelled) return; // closed below
      bridge.current = host;
      iframe.srcdoc = withCsp(html, policyOf({ csp, live }));
    });
    return () => {
      cancelled = true;
      bridge.current = undefined;
      void connected.then((host) => host.close());
    };
    // The rest of props is read once, on load: another call is another frame.
  }, [kind, html, csp, live, toolInput, toolResult, log]);

  useEffect(() => {
    bridge.current?.setHostContext(hostContext);
    openAiHost.current?.setGlobals(openAiGlobalsOf(hostContext));
  }, [hostContext]);

  return <iframe key={kind} ref={frame} className="widget" title={title} sandbox="allow-scripts" />;
}
