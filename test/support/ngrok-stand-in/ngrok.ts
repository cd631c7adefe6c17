import { appendFileSync } from 'node:fs';

// A stand-in for @ngrok/ngrok at its package boundary (the network to ngrok is not reachable
// here): `forward` records what it was asked and answers with the URL the test chose, or fails
// the way ngrok does (a multi-line error) for the authtoken "rejected-token".

interface ForwardConfig {
  addr?: string | number;
  authtoken?: string;
  domain?: string;
}

export async function forward(config: ForwardConfig) {
  if (process.env.NGROK_STAND_IN_RECORD) appendFileSync(process.env.NGROK_STAND_IN_RECORD, `${JSON.stringify({ event: 'forward', config })}\n`);
  if (config.authtoken === 'rejected-token') {
    throw new Error('authentication failed: The authtoken you specified is not valid.\n\nERR_NGROK_105\nhttps://ngrok.com/docs/errors/err_ngrok_105');
  }
  const url = config.domain ? `https://${config.domain}` : (process.env.NGROK_STAND_IN_URL ?? 'https://stand-in.ngrok-free.app');
  return {
    url: () => url,
    close: async () => {
      if (process.env.NGROK_STAND_IN_RECORD) appendFileSync(process.env.NGROK_STAND_IN_RECORD, `${JSON.stringify({ event: 'close' })}\n`);
    },
  };
}
