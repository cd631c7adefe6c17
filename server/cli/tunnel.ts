// An https tunnel to this machine for `pnpm dev --tunnel`, opened in-process by ngrok's official
// package: ChatGPT must reach the server over https from the internet.

export class TunnelError extends Error {}

/** What to do without an authtoken, for the port the server will listen on. */
export function tunnelHelp(port: number): string {
  return `--tunnel needs an ngrok authtoken in NGROK_AUTHTOKEN.
  1. Sign up at https://dashboard.ngrok.com/signup, then copy your authtoken from
     https://dashboard.ngrok.com/get-started/your-authtoken
  2. export NGROK_AUTHTOKEN=<your authtoken>   (or keep it in a .env file you source; not in git)
     pnpm dev --tunnel
     Add NGROK_DOMAIN=<your reserved domain> to keep the same URL from one run to the next.
Or run ngrok yourself, in a second terminal:
  ngrok http ${port}
  PUBLIC_URL=https://<the https URL ngrok shows> TRUST_PROXY=loopback pnpm dev`;
}

export interface Tunnel {
  /** The public https origin, such as https://abc.ngrok-free.app. */
  url: string;
  close(): Promise<void>;
}

export async function openTunnel(options: { address: string; authtoken: string; domain: string | undefined }): Promise<Tunnel> {
  let listener;
  try {
    // Loaded only when a tunnel is wanted: a plain `pnpm dev` never needs ngrok's native module.
    const { forward } = await import('@ngrok/ngrok');
    listener = await forward({ addr: options.address, authtoken: options.authtoken, ...(options.domain ? { domain: options.domain } : {}) });
  } catch (error) {
    // ngrok's errors carry a code and several lines of help, some of which may quote the
    // authtoken: one line, with the token blanked out.
    const first = String(error instanceof Error ? error.message : error).split('\n')[0]!.trim().replaceAll(options.authtoken, '[authtoken]');
    throw new TunnelError(`could not open the ngrok tunnel: ${first || 'no reason given'}`);
  }
  const url = listener.url();
  if (!url?.startsWith('https://')) {
    await listener.close();
    throw new TunnelError(`ngrok gave no https URL (got ${JSON.stringify(url)})`);
  }
  return { url: new URL(url).origin, close: () => listener.close() };
}
