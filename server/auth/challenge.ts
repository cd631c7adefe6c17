// RFC 6750 §3 challenges. Values are quoted-strings, and error_description may only hold
// %x20-21 / %x23-5B / %x5D-7E: anything else (quotes, backslashes, CR/LF, non-ASCII) is dropped
// so a message can never break the header or inject another one.

export type BearerError = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

export interface BearerChallenge {
  resourceMetadataUrl: string;
  error?: BearerError;
  description?: string;
  /** Every scope the refused operation needs. */
  scopes?: readonly string[];
}

function headerSafe(value: string): string {
  return value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '');
}

export function formatBearerChallenge(challenge: BearerChallenge): string {
  const params: [string, string][] = [['resource_metadata', challenge.resourceMetadataUrl]];
  if (challenge.error) params.push(['error', challenge.error]);
  if (challenge.error && challenge.description) params.push(['error_description', challenge.description]);
  if (challenge.scopes && challenge.scopes.length > 0) params.push(['scope', challenge.scopes.join(' ')]);
  return `Bearer ${params.map(([name, value]) => `${name}="${headerSafe(value)}"`).join(', ')}`;
}
