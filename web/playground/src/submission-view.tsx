import { useState } from 'react';
import type { CheckAnswer } from '../../../server/playground/submission-check.ts';

// pnpm check:app in the playground: what an app directory submission asks of this server.


export function SubmissionCheck() {
  const [answer, setAnswer] = useState<CheckAnswer | undefined>();
  const [running, setRunning] = useState(false);
  const run = async () => {
    setRunning(true);
    try {
      setAnswer(await (await fetch('/dev/check')).json());
    } catch (error) {
      setAnswer({ url: '', error: error instanceof Error ? error.message : String(error) });
    } finally {
      setRunning(false);
    }
  };
  const failed = answer?.rows?.filter((row) => !row.passed).length ?? 0;
  return (
    <section className="submission" aria-label="Submission check">
      <h2>Submission check</h2>
      <p className="muted">What a ChatGPT app directory submission asks of this server (pnpm check:app).</p>
      <button type="button" onClick={() => void run()} disabled={running}>
        {running ? 'Checking…' : 'Check the app'}
      </button>
      {answer?.error ? <p className="error" role="alert">{answer.error}</p> : null}
      {answer?.rows ? (
        <>
          <p role="status">
            {answer.rows.length - failed} passed, {failed} failed ({answer.url})
          </p>
          <ul>
            {answer.rows.map((row) => (
              <li key={row.check} className={row.passed ? 'passed' : 'failed'}>
                <strong>{row.passed ? 'passed' : 'failed'}</strong> {row.check}
                <br />
                <span className="muted">{row.detail}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
