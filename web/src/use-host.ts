import { applyDocumentTheme, applyHostFonts, applyHostStyleVariables, useApp, type App, type McpUiHostContext } from '@modelcontextprotocol/ext-apps/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { openAi, SET_GLOBALS_EVENT } from './openai-globals.ts';
import { shownOf, textOf, type Shown } from './tool-views.ts';

// One face for two bridges: MCP Apps (ext-apps' App over postMessage: ChatGPT, Claude, VS Code…)
// and ChatGPT's older `window.openai`. The UI never waits for either: it renders whatever result
// has arrived, because with only window.openai present useApp keeps trying for 60 s.

export type ToolCallOutcome = { ok: true; shown: Shown | undefined } | { ok: false; message: string };

/** UI state the host keeps for this widget instance (ChatGPT only). */
export interface WidgetState {
  boardId?: string;
  openCardId?: string;
}

export interface KanbanHost {
  /** The latest tool result the host delivered (the conversation's tool call). */
  delivered: Shown | undefined;
  /** The host said a tool is running and its result will follow. */
  waiting: boolean;
  callTool(name: string, args: Record<string, unknown>): Promise<ToolCallOutcome>;
  /** Asks the conversation to go on with this message from the user (sign-in goes through the model). */
  sendMessage(text: string): Promise<boolean>;
  /** Present when the host can show the widget fullscreen. */
  requestFullscreen: (() => void) | undefined;
  openLink(url: string): void;
  widgetState: WidgetState | undefined;
  saveWidgetState(state: WidgetState): void;
}

const APP_INFO = { name: 'kanban-widget', version: '0.1.0' };

function applyHostContext(context: McpUiHostContext | undefined): void {
  if (!context) return;
  if (context.theme) applyDocumentTheme(context.theme);
  if (context.locale) document.documentElement.lang = context.locale;
  if (context.styles?.variables) applyHostStyleVariables(context.styles.variables);
  if (context.styles?.css?.fonts) applyHostFonts(context.styles.css.fonts);
}

function deliveredByOpenAi(): Shown | undefined {
  const globals = openAi();
  return globals ? shownOf(globals.toolOutput, globals.toolResponseMetadata) : undefined;
}

function outcomeOf(result: { isError?: boolean; content?: unknown; structuredContent?: unknown; _meta?: unknown }): ToolCallOutcome {
  if (result.isError) return { ok: false, message: textOf(result.content) || 'Kanban refused the change.' };
  return { ok: true, shown: shownOf(result.structuredContent, result._meta) };
}

export function useHost(): KanbanHost {
  const [delivered, setDelivered] = useState<Shown | undefined>(deliveredByOpenAi);
  const [waiting, setWaiting] = useState(false);
  const [hostContext, setHostContext] = useState<McpUiHostContext | undefined>();
  const onAppCreated = useCallback((created: App) => {
    // Set before connect: the host may send the result right after the handshake.
    created.ontoolinput = () => setWaiting(true);
    created.ontoolresult = (result) => {
      setWaiting(false);
      const shown = shownOf(result.structuredContent, result._meta);
      if (shown) setDelivered(shown);
    };
    created.onhostcontextchanged = (change) => {
      applyHostContext(change);
      setHostContext((previous) => ({ ...previous, ...change }));
    };
  }, []);
  const { app } = useApp({ appInfo: APP_INFO, capabilities: {}, onAppCreated });

  useEffect(() => {
    if (!app) return;
    const context = app.getHostContext();
    applyHostContext(context);
    setHostContext(context);
  }, [app]);

  // ChatGPT's globals: the theme now, and later changes (a new tool output, a theme switch).
  useEffect(() => {
    const readGlobals = () => {
      const globals = openAi();
      if (globals?.theme) applyDocumentTheme(globals.theme);
      if (globals?.locale) document.documentElement.lang = globals.locale;
      const shown = deliveredByOpenAi();
      if (shown) setDelivered(shown);
    };
    readGlobals();
    window.addEventListener(SET_GLOBALS_EVENT, readGlobals);
    return () => window.removeEventListener(SET_GLOBALS_EVENT, readGlobals);
  }, []);

  // Only the MCP Apps bridge resizes the frame by itself; window.openai must be told the height.
  useEffect(() => {
    const globals = openAi();
    if (app || !globals?.notifyIntrinsicHeight) return;
    const observer = new ResizeObserver(() => globals.notifyIntrinsicHeight?.(document.documentElement.scrollHeight));
    observer.observe(document.body);
    return () => observer.disconnect();
  }, [app]);

  return useMemo<KanbanHost>(() => {
    const globals = openAi();
    const canFullscreen = hostContext?.availableDisplayModes?.includes('fullscreen') ?? (!app && globals?.requestDisplayMode !== undefined);
    return {
      delivered,
      waiting,
      async callTool(name, args) {
        try {
          if (app) return outcomeOf(await app.callServerTool({ name, arguments: args }));
          if (globals?.callTool) return outcomeOf(await globals.callTool(name, args));
          return { ok: false, message: 'The widget is not connected to the chat yet. Try again in a moment.' };
        } catch (error) {
          return { ok: false, message: `The chat could not reach Kanban: ${error instanceof Error ? error.message : String(error)}` };
        }
      },
      async sendMessage(text) {
        try {
          if (app) return !(await app.sendMessage({ role: 'user', content: [{ type: 'text', text }] })).isError;
          if (globals?.sendFollowUpMessage) {
            await globals.sendFollowUpMessage({ prompt: text });
            return true;
          }
        } catch {
          // Reported below: the caller tells the person to type it instead.
        }
        return false;
      },
      requestFullscreen: canFullscreen
        ? () => {
            if (app) void app.requestDisplayMode({ mode: 'fullscreen' });
            else void globals?.requestDisplayMode?.({ mode: 'fullscreen' });
          }
        : undefined,
      openLink(url) {
        if (app) void app.openLink({ url });
        else if (globals?.openExternal) globals.openExternal({ href: url });
        else window.open(url, '_blank', 'noopener,noreferrer');
      },
      widgetState: globals?.widgetState as WidgetState | undefined,
      saveWidgetState(state) {
        void globals?.setWidgetState?.(state);
      },
    };
  }, [app, delivered, waiting, hostContext]);
}
