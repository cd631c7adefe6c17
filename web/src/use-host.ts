import type { App } from '@modelcontextprotocol/ext-apps';
import { useEffect, useMemo, useRef, useState } from 'react';
import { openAi, SET_GLOBALS_EVENT } from './openai-globals.ts';
import { shownOf, textOf, type Shown } from './tool-views.ts';

// One face for two bridges: MCP Apps (ext-apps' App over postMessage: ChatGPT, Claude, VS Code…)
// and ChatGPT's older `window.openai`. The UI never waits for either: it renders whatever result
// has arrived, because with only window.openai present useApp keeps trying for 60 s.

export type ToolCallOutcome = { ok: true; shown: Shown | undefined } | { ok: false; message: string };

/** What the conversation's own tool call delivered: a view, or the error it ended with. */
export type Delivered = { shown: Shown } | { error: string };

/** UI state the host keeps for this widget instance (ChatGPT only). */
export interface WidgetState {
  boardId?: string;
  openCardId?: string;
}

export interface KanbanHost {
  delivered: Delivered | undefined;
  /** The host said a tool is running and its result will follow. */
  waiting: boolean;
  callTool(name: string, args: Record<string, unknown>): Promise<ToolCallOutcome>;
  /** Asks the conversation to go on with this message from the user (sign-in goes through the model). */
  sendMessage(text: string): Promise<boolean>;
  /** Present when the host can show the widget fullscreen; false when it refused. */
  requestFullscreen: (() => Promise<boolean>) | undefined;
  /** false when no host would open it. */
  openLink(url: string): Promise<boolean>;
  /** The state ChatGPT kept for this widget when it (re)loaded it. */
  initialWidgetState: WidgetState | undefined;
  saveWidgetState(state: WidgetState): void;
}

const APP_INFO = { name: 'kanban-widget', version: '0.1.0' };

/** What ext-apps' applyDocumentTheme does, here so that ChatGPT's theme never waits for the bridge. */
function applyDocumentTheme(theme: 'light' | 'dark'): void {
  document.documentElement.setAttribute('data-theme', theme);
  document.documentElement.style.colorScheme = theme;
}

function deliveredOf(result: { isError?: boolean; content?: unknown; structuredContent?: unknown; _meta?: unknown }): Delivered | undefined {
  if (result.isError) return { error: textOf(result.content) || 'Kanban could not do that.' };
  const shown = shownOf(result.structuredContent, result._meta);
  return shown ? { shown } : undefined;
}

function outcomeOf(result: { isError?: boolean; content?: unknown; structuredContent?: unknown; _meta?: unknown }): ToolCallOutcome {
  if (result.isError) return { ok: false, message: textOf(result.content) || 'Kanban refused the change.' };
  return { ok: true, shown: shownOf(result.structuredContent, result._meta) };
}

/**
 * Resolves once the first render can be on screen: just after the next frame, or after 100 ms in
 * a host that pauses animation frames (an iframe off screen). A task started sooner would run
 * before the frame and hold the first paint back.
 */
function afterNextFrame(): Promise<void> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve));
    setTimeout(resolve, 100);
  });
}

/** A host request that may fail: true when it went through. */
async function succeeded(request: Promise<{ isError?: boolean } | unknown>): Promise<boolean> {
  try {
    const result = await request;
    return !(typeof result === 'object' && result !== null && (result as { isError?: boolean }).isError);
  } catch {
    return false;
  }
}

export function useHost(): KanbanHost {
  const [delivered, setDelivered] = useState<Delivered | undefined>(() => {
    const globals = openAi();
    return globals?.toolOutput ? deliveredOf({ structuredContent: globals.toolOutput, _meta: globals.toolResponseMetadata }) : undefined;
  });
  const [waiting, setWaiting] = useState(false);
  // The one thing read from the host context after applying it: may it show us fullscreen?
  const [displayModes, setDisplayModes] = useState<readonly string[] | undefined>();
  // Where the host shows us now: no "Show fullscreen" when we already are.
  const [displayMode, setDisplayMode] = useState<string | undefined>(() => openAi()?.displayMode);
  const [initialWidgetState] = useState(() => openAi()?.widgetState as WidgetState | undefined);

  // MCP Apps: what ext-apps' useApp does (an App over postMessage to our parent, connected once),
  // with the bridge imported only once the first render is on screen (mcp-apps.ts says why).
  const [app, setApp] = useState<App | null>(null);
  useEffect(() => {
    let mounted = true;
    let created: App | undefined;
    const connect = async () => {
      await afterNextFrame();
      const { App, PostMessageTransport, applyHostContext } = await import('./mcp-apps.ts');
      if (!mounted) return;
      created = new App(APP_INFO, {}, { autoResize: true });
      // Registered before connect: the host may send the result right after the handshake.
      created.addEventListener('toolinput', () => setWaiting(true));
      created.addEventListener('toolcancelled', () => setWaiting(false));
      created.addEventListener('toolresult', (result) => {
        setWaiting(false);
        const next = deliveredOf(result);
        if (next) setDelivered(next);
      });
      created.addEventListener('hostcontextchanged', (change) => {
        applyHostContext(change);
        if (change.availableDisplayModes) setDisplayModes(change.availableDisplayModes);
        if (change.displayMode) setDisplayMode(change.displayMode);
      });
      await created.connect(new PostMessageTransport(window.parent, window.parent));
      if (!mounted) return void created.close();
      const context = created.getHostContext();
      applyHostContext(context);
      setDisplayModes(context?.availableDisplayModes);
      setDisplayMode(context?.displayMode);
      setApp(created);
    };
    // No MCP Apps host (window.openai alone, or none) ends the handshake in an error after 60 s: no app.
    connect().catch(() => undefined);
    return () => {
      mounted = false;
      void created?.close();
    };
  }, []);

  // ChatGPT's globals: the theme now, and later changes. set_globals also fires for theme, display
  // mode and widget state changes: only a new toolOutput object is a new result to show.
  const lastToolOutput = useRef(openAi()?.toolOutput);
  useEffect(() => {
    const readGlobals = () => {
      const globals = openAi();
      if (globals?.theme) applyDocumentTheme(globals.theme);
      if (globals?.locale) document.documentElement.lang = globals.locale;
      if (globals?.displayMode) setDisplayMode(globals.displayMode);
      if (!globals?.toolOutput || globals.toolOutput === lastToolOutput.current) return;
      lastToolOutput.current = globals.toolOutput;
      const next = deliveredOf({ structuredContent: globals.toolOutput, _meta: globals.toolResponseMetadata });
      if (next) setDelivered(next);
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
    const canFullscreen = displayMode !== 'fullscreen' && (displayModes?.includes('fullscreen') ?? (!app && globals?.requestDisplayMode !== undefined));
    return {
      delivered,
      waiting,
      initialWidgetState,
      async callTool(name, args) {
        try {
          if (app) return outcomeOf(await app.callServerTool({ name, arguments: args }));
          if (globals?.callTool) return outcomeOf(await globals.callTool(name, args));
          return { ok: false, message: 'The widget is not connected to the chat yet. Try again in a moment.' };
        } catch (error) {
          return { ok: false, message: `The chat could not reach Kanban: ${error instanceof Error ? error.message : String(error)}` };
        }
      },
      sendMessage(text) {
        if (app) return succeeded(app.sendMessage({ role: 'user', content: [{ type: 'text', text }] }));
        if (globals?.sendFollowUpMessage) return succeeded(globals.sendFollowUpMessage({ prompt: text }));
        return Promise.resolve(false);
      },
      requestFullscreen: canFullscreen
        ? () => (app ? succeeded(app.requestDisplayMode({ mode: 'fullscreen' })) : succeeded(Promise.resolve(globals?.requestDisplayMode?.({ mode: 'fullscreen' }))))
        : undefined,
      openLink(url) {
        if (app) return succeeded(app.openLink({ url }));
        if (globals?.openExternal) return succeeded(Promise.resolve(globals.openExternal({ href: url })));
        window.open(url, '_blank', 'noopener,noreferrer'); // returns null with noopener, opened or not
        return Promise.resolve(true);
      },
      saveWidgetState(state) {
        void succeeded(Promise.resolve(globals?.setWidgetState?.(state)));
      },
    };
  }, [app, delivered, waiting, displayModes, displayMode, initialWidgetState]);
}
