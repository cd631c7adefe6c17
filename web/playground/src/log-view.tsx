import { useSyncExternalStore } from 'react';
import type { MessageLog } from './message-log.ts';

// The message log: every JSON-RPC message with the server and with the widgets, newest last.

export function LogView({ log }: { log: MessageLog }) {
  const count = useSyncExternalStore(
    (listener) => log.subscribe(listener),
    () => log.entries.length,
  );
  return (
    <section className="log" aria-label="Message log">
      <h2>Messages ({count})</h2>
      <ol>
        {log.entries.map((entry) => {
          const message = entry.message as { method?: string; id?: unknown; error?: unknown };
          const what = message.method ?? (message.error ? 'error' : 'result');
          return (
            <li key={entry.seq} className={`channel-${entry.channel} ${entry.direction}`}>
              <details>
                <summary>
                  <span className="time">{(entry.at / 1000).toFixed(3)} s</span> {entry.channel === 'server' ? (entry.direction === 'out' ? 'playground → server' : 'server → playground') : entry.direction === 'out' ? 'host → widget' : 'widget → host'}{' '}
                  <code>{what}</code>
                  {message.id !== undefined ? <span className="muted"> #{String(message.id)}</span> : null}
                  {entry.httpStatus !== undefined ? <span className="error"> HTTP {entry.httpStatus}</span> : null}
                  {entry.tookMs !== undefined ? <span className="muted"> {entry.tookMs} ms</span> : null}
                </summary>
                <pre>{JSON.stringify(entry.message, null, 2)}</pre>
              </details>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
