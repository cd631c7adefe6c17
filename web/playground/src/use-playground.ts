import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { UnauthorizedError, type CallToolResult, type Tool } from '@modelcontextprotocol/client';
import { getToolUiResourceUri, type McpUiHostContext, type McpUiResourceCsp } from '@modelcontextprotocol/ext-apps/app-bridge';
import { callTool, chatGptHints, connect, type Connection, type Era } from './connection.ts';
import { MessageLog } from './message-log.ts';
import { parseChallenge, PlaygroundOAuth, SignInRestarted, type SignedIn } from './sign-in.ts';
import { inbandChallenge, type CallEntry, type Entry, type NoteEntry, type WidgetSource } from './transcript.ts';
import type { Bridge } from './widget-frame.tsx';

// The playground's state and what it does: connect, call, sign in and retry, host the widgets.

/** The widget from source, as Vite serves it (server/playground/router.ts). */
const LIVE_WIDGET_PATH = '/dev/widget.html';

export interface Settings {
  era: Era;
  /** Send ChatGPT's request hints, so the server challenges in-band as it does for ChatGPT. */
  chatGptHints: boolean;
  /** How widgets talk to the playground: MCP Apps (ext-apps' AppBridge) or window.openai alone. */
  bridge: Bridge;
  /** `live`: the widget from web/src through Vite, hot-reloaded; `built`: the file ChatGPT gets (resources/read). */
  widgetSource: 'live' | 'built';
}

export interface Viewer {
  signedIn: SignedIn;
  /** The name whoami gives, once known. */
  name: string | undefined;
}

/** The widget a tool's results are shown in (ext-apps reads both the nested and the older flat key). */
function widgetUri(tool: Tool | undefined): string | undefined {
  return tool === undefined ? undefined : getToolUiResourceUri(tool);
}

export function usePlayground() {
  const log = useMemo(() => new MessageLog(), []);
  const [settings, setSettings] = useState<Settings>({ era: '2025', chatGptHints: true, bridge: 'mcp-apps', widgetSource: 'live' });
  const [connection, setConnection] = useState<Connection | undefined>();
  const [connectError, setConnectError] = useState<string | undefined>();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [viewer, setViewer] = useState<Viewer | undefined>();
  const [hostContext, setHostContext] = useState<McpUiHostContext>(() => ({
    theme: matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
    locale: navigator.language,
    displayMode: 'inline',
    availableDisplayModes: ['inline', 'fullscreen', 'pip'],
    platform: 'web',
    containerDimensions: { maxHeight: 640 },
  }));
  // The HTTP challenges the connection has met, newest last: a call met one if the count grew during it.
  const httpChallenges = useRef<string[]>([]);
  const nextId = useRef(1);
  // A refreshed token is the same person: the name whoami gave stays (each sign-in asks again).
  const oauth = useMemo(() => new PlaygroundOAuth((signedIn) => setViewer((current) => (signedIn ? { signedIn, name: current?.name } : undefined))), []);

  useEffect(() => {
    let current = true;
    setConnection(undefined);
    setConnectError(undefined);
    let made: Connection | undefined;
    connect(settings.era, oauth, log, (header) => httpChallenges.current.push(header)).then(
      (connection) => {
        made = connection;
        if (current) setConnection(connection);
        else void connection.client.close();
      },
      (error: unknown) => current && setConnectError(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      current = false;
      void made?.client.close();
    };
  }, [settings.era, oauth, log]);

  const update = (id: number, change: Partial<CallEntry>) => setEntries((all) => all.map((entry) => (entry.id === id && entry.kind === 'call' ? { ...entry, ...change } : entry)));
  const note = (kind: NoteEntry['kind'], text: string) => setEntries((all) => [...all, { kind, id: nextId.current++, text }]);

  /**
   * The widget `tool` links: its resource (HTML and declared CSP), and in live mode its HTML from
   * source. Read at every call, not kept: a URI the server no longer serves (pnpm dev rebuilt the
   * widget, and a new build is a new URI) makes the playground list the tools again, as a host
   * would on a refresh, and read the new one.
   */
  const widgetFor = useCallback(async (made: Connection, tool: string, live: boolean): Promise<WidgetSource | undefined> => {
    const read = async (uri: string): Promise<WidgetSource> => {
      const { contents } = await made.client.readResource({ uri });
      const first = contents[0];
      if (!first || !('text' in first)) throw new Error(`resources/read of ${uri} returned no HTML`);
      const ui = first._meta?.ui as { csp?: McpUiResourceCsp } | undefined;
      const html = live ? await (await fetch(LIVE_WIDGET_PATH)).text() : first.text;
      return { html, csp: ui?.csp, live };
    };
    const uri = widgetUri(made.tools.find((each) => each.name === tool));
    if (!uri) return undefined;
    try {
      return await read(uri);
    } catch {
      made.tools = (await made.client.listTools()).tools;
      const fresh = widgetUri(made.tools.find((each) => each.name === tool));
      return fresh ? read(fresh) : undefined;
    }
  }, []);

  /** One tools/call as ChatGPT makes it; the result lands in the entry `id`. */
  const run = useCallback(
    async (id: number, name: string, args: Record<string, unknown>, from: CallEntry['from']): Promise<CallToolResult | undefined> => {
      if (!connection) return undefined;
      update(id, { status: 'running', error: undefined, challenge: undefined });
      const challengesBefore = httpChallenges.current.length;
      try {
        const result = await callTool(connection, name, args, settings.chatGptHints ? chatGptHints(String(hostContext.locale)) : {});
        const inband = inbandChallenge(result);
        if (inband) {
          update(id, { status: 'sign-in', result, challenge: parseChallenge(inband) });
          return result;
        }
        // As in ChatGPT, a call the widget makes answers that widget: it opens no widget of its own.
        const widget = from === 'person' && !result.isError ? await widgetFor(connection, name, settings.widgetSource === 'live') : undefined;
        update(id, { status: result.isError ? 'failed' : 'done', result, widget });
        return result;
      } catch (error) {
        // A 401 or 403 met by this call (another refusal, a 413 say, is a failure like any other).
        const header = httpChallenges.current.length > challengesBefore ? httpChallenges.current.at(-1) : undefined;
        if (error instanceof UnauthorizedError || header !== undefined) {
          update(id, { status: 'sign-in', challenge: header === undefined ? {} : parseChallenge(header), error: `HTTP challenge: ${header ?? 'unauthorized'}` });
          return undefined;
        }
        update(id, { status: 'failed', error: error instanceof Error ? error.message : String(error) });
        return undefined;
      }
    },
    [connection, settings.chatGptHints, settings.widgetSource, hostContext.locale, widgetFor],
  );

  const call = useCallback(
    (name: string, args: Record<string, unknown>, from: CallEntry['from'] = 'person') => {
      const id = nextId.current++;
      setEntries((all) => [...all, { kind: 'call', id, tool: name, args, from, status: 'running' }]);
      return run(id, name, args, from);
    },
    [run],
  );

  const whoami = useCallback(async () => {
    if (!connection) return;
    const result = await callTool(connection, 'whoami', {}, {});
    const name = (result.structuredContent as { viewer?: { name?: string } } | undefined)?.viewer?.name;
    setViewer((current) => (current ? { ...current, name } : current));
  }, [connection]);

  /** From the sign-in button of a challenged call: the flow in a popup, then the same call again. */
  const signInAndRetry = useCallback(
    async (entry: CallEntry) => {
      try {
        await oauth.signIn(entry.challenge ?? {});
      } catch (error) {
        if (!(error instanceof SignInRestarted)) update(entry.id, { error: error instanceof Error ? error.message : String(error) });
        return;
      }
      await whoami().catch(() => undefined);
      await run(entry.id, entry.tool, entry.args, entry.from);
    },
    [oauth, run, whoami],
  );

  return { log, settings, setSettings, connection, connectError, entries, viewer, oauth, hostContext, setHostContext, call, note, signInAndRetry };
}

export type PlaygroundState = ReturnType<typeof usePlayground>;
