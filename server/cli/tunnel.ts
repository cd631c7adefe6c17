import { forward } from '@ngrok/ngrok';

// An https tunnel to this machine for `pnpm dev --tunnel`, opened in-process by ngrok's official
// package: ChatGPT must reach the server over https from the internet.

export class TunnelError extends Error {}

export const TUNNEL_HELP = `--tunnel needs an ngrok authtoken in NGROK_AUTHTOKEN.
  1. Sign up at https://dashboard.ngrok.com/signup, then copy your authtoken from
     https://dashboard.ngrok.com/get-started/your-authtoken
  2. NGROK_AUTHTOKEN=<your authtoken> pnpm dev --tunnel
     Add NGROK_DOMAIN=<your reserved domain> to keep the same URL from one run to the next.
Or run ngrok yourself, in a second terminal:
  ngrok http 3000
  PUBLIC_URL=https://<the https URL ngrok shows> TRUST_PROXY=loopback pnpm dev`;

export interface Tunnel {
  /** The public https origin, such as https://abc.ngrok-free.app. */
  url: string;
  close(): Promise<void>;
}

export async function openTunnel(options: { port: number; authtoken: string; domain: string | undefined }): Promise<Tunnel> {
  let listener;
  try {
    listener = await forward({ addr: `127.0.0.1:${options.port}`, authtoken: options.authtoken, ...(options.domain ? { domain: options.domain } : {}) });
  } catch (error) {
    // ngrok's errors carry a code and several lines of help: one line is enough here.
    const first = String(error instanceof Error ? error.message : error).split('\n')[0]!.trim();
    throw new TunnelError(`could not open the ngrok tunnel: ${first || 'no reason given'}`);
  }
  const url = listener.url();
  if (!url?.startsWith('https://')) {
    await listener.close();
    throw new TunnelError(`ngrok gave no https URL (got ${JSON.stringify(url)})`);
  }
  return { url: new URL(url).origin, close: () => listener.close() };
}
