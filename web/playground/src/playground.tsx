import { useMemo, useState } from 'react';
import type { Tool } from '@modelcontextprotocol/client';
import { EntryView } from './call-view.tsx';
import { metadataDocumentPossible, type Registration } from './sign-in.ts';
import { LogView } from './log-view.tsx';
import { SubmissionCheck } from './submission-view.tsx';
import { ToolForm } from './tool-form.tsx';
import { usePlayground, type PlaygroundState } from './use-playground.ts';
import type { WidgetHostHandlers } from './widget-frame.tsx';

// The page: connection settings and who is signed in on top; the tools and a form to call one;
// the transcript of calls with their widgets; the host's context; the message log.

function SignedInBar({ state }: { state: PlaygroundState }) {
  const { viewer, oauth } = state;
  if (!viewer) return <p className="who" aria-label="Who is signed in">Not signed in</p>;
  const { tokens, expiresAt } = viewer.signedIn;
  return (
    <p className="who" aria-label="Who is signed in">
      Signed in{viewer.name ? ` as ${viewer.name}` : ''} · scopes <code>{tokens.scope ?? '(as granted)'}</code>
      {expiresAt ? ` · token expires ${new Date(expiresAt).toLocaleTimeString()}` : ''}{' '}
      <button type="button" className="link" onClick={() => oauth.signOut()}>Sign out</button>
    </p>
  );
}

function RegistrationSwitch({ state }: { state: PlaygroundState }) {
  const [registration, setRegistration] = useState<Registration>(state.oauth.registration);
  const possible = metadataDocumentPossible();
  const choose = (next: Registration) => {
    state.oauth.chooseRegistration(next);
    setRegistration(next);
  };
  return (
    <label title={possible ? undefined : 'Client metadata documents are https only: open the playground through an https URL (pnpm dev --tunnel).'}>
      Client registration{' '}
      <select aria-label="Client registration" value={registration} onChange={(event) => choose(event.target.value as Registration)}>
        <option value="dynamic">dynamic registration</option>
        <option value="metadata-document" disabled={!possible}>
          metadata document{possible ? '' : ' (https only)'}
        </option>
      </select>
    </label>
  );
}

function Settings({ state }: { state: PlaygroundState }) {
  const { settings, setSettings, connection, connectError } = state;
  return (
    <div className="settings">
      <label>
        Protocol{' '}
        <select aria-label="Protocol" value={settings.era} onChange={(event) => setSettings({ ...settings, era: event.target.value as typeof settings.era })}>
          <option value="2025">2025-11-25 (what ChatGPT speaks)</option>
          <option value="2026-07-28">2026-07-28</option>
        </select>
      </label>
      <label className="check">
        <input type="checkbox" checked={settings.chatGptHints} onChange={(event) => setSettings({ ...settings, chatGptHints: event.target.checked })} /> Send ChatGPT's hints (sign-in asked in-band)
      </label>
      <label>
        Widget bridge{' '}
        <select aria-label="Widget bridge" value={settings.bridge} onChange={(event) => setSettings({ ...settings, bridge: event.target.value as typeof settings.bridge })}>
          <option value="mcp-apps">MCP Apps (AppBridge)</option>
          <option value="openai">window.openai only</option>
        </select>
      </label>
      <label title="Live: from web/src through Vite, an edit shows at once (its CSP also allows this server). Built: the single file ChatGPT gets.">
        Widget{' '}
        <select aria-label="Widget source" value={settings.widgetSource} onChange={(event) => setSettings({ ...settings, widgetSource: event.target.value as typeof settings.widgetSource })}>
          <option value="live">live from source (hot reload)</option>
          <option value="built">built (as ChatGPT gets it)</option>
        </select>
      </label>
      <RegistrationSwitch state={state} />
      <span className="connection" role="status">
        {connectError ? `Could not connect: ${connectError}` : connection ? `Connected to /mcp (${connection.protocol})` : 'Connecting…'}
      </span>
    </div>
  );
}

function HostControls({ state }: { state: PlaygroundState }) {
  const { hostContext, setHostContext } = state;
  return (
    <fieldset className="host-context">
      <legend>Host context</legend>
      <label>
        Theme{' '}
        <select aria-label="Theme" value={hostContext.theme} onChange={(event) => setHostContext({ ...hostContext, theme: event.target.value as 'light' | 'dark' })}>
          <option>light</option>
          <option>dark</option>
        </select>
      </label>
      <label>
        Display mode{' '}
        <select aria-label="Display mode" value={hostContext.displayMode} onChange={(event) => setHostContext({ ...hostContext, displayMode: event.target.value as 'inline' })}>
          <option>inline</option>
          <option>fullscreen</option>
          <option>pip</option>
        </select>
      </label>
      <label>
        Locale <input value={hostContext.locale ?? ''} size={8} onChange={(event) => setHostContext({ ...hostContext, locale: event.target.value })} />
      </label>
      <label>
        Max height{' '}
        <input type="number" min={100} value={hostContext.containerDimensions && 'maxHeight' in hostContext.containerDimensions ? hostContext.containerDimensions.maxHeight : 640} onChange={(event) => setHostContext({ ...hostContext, containerDimensions: { maxHeight: Number(event.target.value) } })} />
      </label>
    </fieldset>
  );
}

function ToolPicker({ tools, state }: { tools: Tool[]; state: PlaygroundState }) {
  const [name, setName] = useState(tools[0]?.name ?? '');
  const tool = tools.find((each) => each.name === name);
  return (
    <section className="tools" aria-label="Tools">
      <h2>Tools</h2>
      <ul>
        {tools.map((each) => {
          const schemes = (each._meta?.securitySchemes ?? (each as { securitySchemes?: unknown }).securitySchemes) as { type: string; scopes?: string[] }[] | undefined;
          return (
            <li key={each.name}>
              <button type="button" aria-pressed={each.name === name} onClick={() => setName(each.name)}>{each.name}</button>{' '}
              <span className="muted">{schemes?.map((scheme) => (scheme.type === 'oauth2' ? `oauth2 ${scheme.scopes?.join(' ') ?? ''}` : scheme.type)).join(' or ')}</span>
              {each.annotations?.readOnlyHint ? <span className="tag">read-only</span> : null}
              {each.annotations?.destructiveHint ? <span className="tag">destructive</span> : null}
              {each.annotations?.openWorldHint ? <span className="tag">open world</span> : null}
            </li>
          );
        })}
      </ul>
      {tool ? (
        <>
          <p className="description">{tool.description}</p>
          <ToolForm key={tool.name} tool={tool} onCall={(args) => void state.call(tool.name, args)} />
        </>
      ) : null}
    </section>
  );
}

export function Playground() {
  const state = usePlayground();
  const { connection, entries, hostContext, log, note, call, signInAndRetry } = state;
  const handlers: WidgetHostHandlers = useMemo(
    () => ({
      callTool: async (name, args) => (await call(name, args, 'widget')) ?? { isError: true, content: [{ type: 'text', text: `${name} did not complete: see the playground.` }] },
      followUp: (text) => note('follow-up', text),
      openLink: (url) => note('link', url),
      displayMode: (mode) => state.setHostContext((current) => ({ ...current, displayMode: mode as 'inline' })),
    }),
    [call, note, state.setHostContext],
  );
  return (
    <div className={`playground theme-${hostContext.theme} display-${hostContext.displayMode}`}>
      <header className="top">
        <h1>kanban-mcp playground</h1>
        <Settings state={state} />
        <SignedInBar state={state} />
      </header>
      <main>
        <div className="side">
          {connection ? <ToolPicker tools={connection.tools} state={state} /> : null}
          <HostControls state={state} />
          <SubmissionCheck />
        </div>
        <section className="transcript" aria-label="Transcript">
          <h2>Transcript</h2>
          {entries.length === 0 ? <p className="muted">Call a tool to start, list_boards say.</p> : null}
          {entries.map((entry) => (
            <EntryView key={entry.id} entry={entry} bridge={state.settings.bridge} hostContext={hostContext} handlers={handlers} log={log} signIn={(challenged) => void signInAndRetry(challenged)} />
          ))}
        </section>
        <LogView log={log} />
      </main>
    </div>
  );
}
