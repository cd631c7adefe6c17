import { request } from 'node:http';
import { loadConfig } from '../config.ts';
import { checkSubmission, unreadable, type CheckRow } from '../playground/submission-check.ts';
import { CommandError, runCommand } from './command.ts';

// `pnpm check:app`: what a ChatGPT app directory submission asks of the server, read from the
// running server, each row passed or failed. Exit code 1 when any row failed.

const HELP = `Usage: pnpm check:app [URL] [--connect-to HOST:PORT]

Reads the running server at URL (default: PUBLIC_URL, else http://localhost:PORT) as ChatGPT
does and lists what an app directory submission asks of it: an https URL, every tool's hints and
securitySchemes, the widget's CSP and domain, description lengths, a privacy policy and a support
URL (PRIVACY_POLICY_URL, SUPPORT_URL), and sign-in reachable from the challenge.
  --connect-to HOST:PORT   send the requests for URL's host to HOST:PORT over plain http instead
                           (like curl --connect-to): check a tunnelled server from its own machine`;

/**
 * A fetch that sends the requests for `origin`'s host to `address` over plain http, with that host
 * as Host; requests elsewhere (an external identity provider's discovery) go out as they are.
 * Written here because fetch cannot: it sets Host from the URL. Only what checkSubmission sends:
 * URLs as strings, bodies as strings.
 */
function fetchThrough(origin: string, address: string): typeof fetch {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  if (!host || !Number.isInteger(port) || port <= 0) throw new CommandError(`--connect-to must be HOST:PORT (got ${JSON.stringify(address)}).`, 2);
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.host !== new URL(origin).host) return fetch(input, init);
    const body = typeof init?.body === 'string' ? init.body : undefined;
    const headers = { ...Object.fromEntries(new Headers(init?.headers)), host: url.host };
    return new Promise<Response>((resolve, reject) => {
      const sent = request({ host, port, method: init?.method ?? 'GET', path: url.pathname + url.search, headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: answer.statusCode, headers: answer.headers as Record<string, string> })));
      });
      sent.on('error', reject);
      sent.end(body);
    });
  };
}

function table(rows: CheckRow[]): string {
  const width = Math.max(...rows.map((each) => each.check.length));
  return rows.map((each) => `  ${each.passed ? 'passed' : 'FAILED'}  ${each.check.padEnd(width)}  ${each.detail}`).join('\n');
}

await runCommand({
  help: HELP,
  options: { 'connect-to': { type: 'string' } },
  async run({ positionals, values }) {
    if (positionals.length > 1) throw new CommandError(`One URL at most.\n\n${HELP}`, 2);
    const url = positionals[0] ?? loadConfig().publicUrl;
    if (!URL.canParse(url)) throw new CommandError(`Not a URL: ${JSON.stringify(url)}.`, 2);
    const through = typeof values['connect-to'] === 'string' ? fetchThrough(url, values['connect-to']) : fetch;
    let rows: CheckRow[];
    try {
      rows = await checkSubmission(url, through);
    } catch (error) {
      throw new CommandError(`${unreadable(url, error)}. Is the server running there?`);
    }
    const failed = rows.filter((each) => !each.passed).length;
    process.stdout.write(`Submission check of ${new URL(url).origin}, read from the running server\n${table(rows)}\n${rows.length - failed} passed, ${failed} failed\n`);
    if (failed > 0) process.exitCode = 1;
  },
});
