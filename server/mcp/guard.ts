import { hasScopes } from '../scopes.ts';
import { formatBearerChallenge } from '../auth/challenge.ts';
import type { Viewer } from '../viewer.ts';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { SecurityScheme, ToolDefinition } from './catalogue.ts';

// Enforces each tool's declared securitySchemes at tools/call, whatever the client claims.
// No tool checks auth by hand: this reads the same declaration tools/list publishes.

export type ToolAccess =
  | { allowed: true }
  | {
      allowed: false;
      /** 401: nobody is signed in. 403: signed in, but without the scopes the tool needs. */
      status: 401 | 403;
      scopes: string[];
      description: string;
    };

function oauth2Schemes(schemes: readonly SecurityScheme[]) {
  return schemes.filter((scheme): scheme is Extract<SecurityScheme, { type: 'oauth2' }> => scheme.type === 'oauth2');
}

export function decideToolAccess(tool: Pick<ToolDefinition, 'title' | 'securitySchemes' | 'signInPrompt'>, viewer: Viewer): ToolAccess {
  if (tool.securitySchemes.some((scheme) => scheme.type === 'noauth')) return { allowed: true };
  const schemes = oauth2Schemes(tool.securitySchemes);
  const firstScopes = schemes[0]?.scopes ?? [];
  const prompt = tool.signInPrompt ?? `Sign in to use ${tool.title}`;
  if (!viewer.signedIn) return { allowed: false, status: 401, scopes: firstScopes, description: prompt };
  if (schemes.some((scheme) => hasScopes(viewer.scopes, scheme.scopes ?? []))) return { allowed: true };
  return {
    allowed: false,
    status: 403,
    scopes: firstScopes,
    description: `${prompt}: your sign-in does not include ${firstScopes.join(' and ')}. Sign in again to allow it.`,
  };
}

/**
 * The challenge ChatGPT needs: an HTTP 200 tool result with isError, a readable text, and
 * `_meta["mcp/www_authenticate"]` with both `error` and `error_description` (docs/chatgpt.md).
 */
export function inbandChallenge(access: Extract<ToolAccess, { allowed: false }>, resourceMetadataUrl: string): CallToolResult {
  const challenge = formatBearerChallenge({ resourceMetadataUrl, error: 'insufficient_scope', description: access.description, scopes: access.scopes });
  return {
    isError: true,
    content: [{ type: 'text', text: `${access.description}.` }],
    _meta: { 'mcp/www_authenticate': [challenge] },
  };
}

/** The challenge spec clients need: 401 with no error code when signed out, 403 insufficient_scope otherwise. */
export function httpChallengeHeader(access: Extract<ToolAccess, { allowed: false }>, resourceMetadataUrl: string): string {
  return access.status === 401
    ? formatBearerChallenge({ resourceMetadataUrl, scopes: access.scopes })
    : formatBearerChallenge({ resourceMetadataUrl, error: 'insufficient_scope', description: access.description, scopes: access.scopes });
}

export type ChallengeMode = 'auto' | 'inband' | 'http';

/** auto: in-band for ChatGPT (openai/* hints in the request _meta, or its user agent), HTTP otherwise. */
export function challengeStyle(mode: ChallengeMode, request: { userAgent?: string; meta?: unknown }): 'inband' | 'http' {
  if (mode !== 'auto') return mode;
  const meta = request.meta && typeof request.meta === 'object' ? Object.keys(request.meta) : [];
  const looksLikeChatGpt = meta.some((key) => key.startsWith('openai/')) || /openai|chatgpt/i.test(request.userAgent ?? '');
  return looksLikeChatGpt ? 'inband' : 'http';
}
