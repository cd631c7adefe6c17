import type { CallToolResult } from '@modelcontextprotocol/client';
import type { McpUiHostContext } from '@modelcontextprotocol/ext-apps/app-bridge';
import type { MessageLog } from './message-log.ts';
import { contentText, type CallEntry, type Entry } from './transcript.ts';
import { WidgetFrame, type Bridge, type WidgetHostHandlers } from './widget-frame.tsx';

// One entry of the transcript. A call shows what ChatGPT shows of it: the text the model reads,
// structuredContent and _meta, then the widget; a challenged call offers the sign-in.

function Json({ label, value }: { label: string; value: unknown }) {
  return (
    <details>
      <summary>{label}</summary>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}

interface CallViewProps {
  entry: CallEntry;
  bridge: Bridge;
  hostContext: McpUiHostContext;
  handlers: WidgetHostHandlers;
  log: MessageLog;
  signIn(entry: CallEntry): void;
}

function CallView({ entry, bridge, hostContext, handlers, log, signIn }: CallViewProps) {
  const result: CallToolResult | undefined = entry.result;
  return (
    <article className={`entry call ${entry.status}`} aria-label={`${entry.tool} call`}>
      <header>
        <strong>{entry.from === 'widget' ? 'The widget called' : 'Called'} {entry.tool}</strong> <code>{JSON.stringify(entry.args)}</code>
        <span className="status">{entry.status}</span>
      </header>
      {entry.status === 'sign-in' ? (
        <div className="sign-in-card" role="group" aria-label="Sign-in needed">
          <p>{entry.challenge?.description ?? 'kanban-mcp asks you to sign in.'}</p>
          <button type="button" onClick={() => signIn(entry)}>Sign in to kanban-mcp</button>
        </div>
      ) : null}
      {entry.error ? <p className="error" role="alert">{entry.error}</p> : null}
      {result ? (
        <section className="result">
          <h3>The model reads</h3>
          <pre className="model-text">{contentText(result.content)}</pre>
          {result.structuredContent ? <Json label="structuredContent" value={result.structuredContent} /> : null}
          {result._meta ? <Json label="_meta" value={result._meta} /> : null}
        </section>
      ) : null}
      {entry.widget && result && !result.isError ? (
        <WidgetFrame bridge={bridge} html={entry.widget.html} csp={entry.widget.csp} live={entry.widget.live} toolInput={entry.args} toolResult={result} hostContext={hostContext} handlers={handlers} log={log} title={`Widget of ${entry.tool}`} />
      ) : null}
    </article>
  );
}

export function EntryView(props: Omit<CallViewProps, 'entry'> & { entry: Entry }) {
  const { entry } = props;
  if (entry.kind === 'call') return <CallView {...props} entry={entry} />;
  const label = entry.kind === 'follow-up' ? 'Follow-up from the widget' : 'The widget asked to open';
  return (
    <article className={`entry ${entry.kind}`} aria-label={label}>
      <strong>{label}:</strong> <span className="follow-up-text">{entry.text}</span>
      {entry.kind === 'follow-up' ? <p className="muted">The model would answer this with a tool call: make it with a tool above.</p> : null}
    </article>
  );
}
