import { discoverAuthorizationServerMetadata, extractWWWAuthenticateParams } from '@modelcontextprotocol/client';
import { RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';

// What a ChatGPT app directory submission asks of the server, read from the running server as
// ChatGPT reads it (plain HTTP, the 2025 era, ChatGPT's request hints): `pnpm check:app`, and the
// playground's "Submission check". Each row passed or failed, with what was found.

export interface CheckRow {
  check: string;
  passed: boolean;
  detail: string;
}

/** GET /dev/check's answer (server/playground/router.ts), shown by the playground's panel. */
export interface CheckAnswer {
  url: string;
  rows?: CheckRow[];
  error?: string;
}

/** Why the server at `url` could not be read at all, with the network's own reason. */
export function unreadable(url: string, error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `could not read ${url}: ${error instanceof Error ? error.message : String(error)}${cause}`;
}

/**
 * Lengths ChatGPT works within: OpenAI's function calling takes tool names of at most 64
 * characters and descriptions of at most 1 024; the Apps SDK's status lines
 * (`openai/toolInvocation/*`) are at most 64.
 */
const LENGTH_LIMITS = { name: 64, description: 1024, statusLine: 64 } as const;

const HINTS = ['readOnlyHint', 'destructiveHint', 'openWorldHint'] as const;
const CHATGPT_HINTS = { 'openai/locale': 'en-US', 'openai/userAgent': 'kanban-mcp check:app' };

interface ListedTool {
  name: string;
  description?: string;
  annotations?: Record<string, unknown>;
  securitySchemes?: { type?: string }[];
  _meta?: Record<string, unknown>;
}

function isHttps(value: unknown): value is string {
  return typeof value === 'string' && URL.canParse(value) && new URL(value).protocol === 'https:';
}

function row(check: string, problems: string[], found: string): CheckRow {
  return { check, passed: problems.length === 0, detail: problems.length === 0 ? found : problems.join('; ') };
}

/** Reads `baseUrl` (the server's public origin) with `fetchFn`, and answers every row. */
export async function checkSubmission(baseUrl: string, fetchFn: typeof fetch = fetch): Promise<CheckRow[]> {
  const origin = new URL(baseUrl).origin;
  let ids = 0;
  const rpc = async (method: string, params: Record<string, unknown>) => {
    const response = await fetchFn(`${origin}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++ids, method, params }),
    });
    const answer = (await response.json()) as { result?: Record<string, unknown>; error?: { message: string } };
    if (!answer.result) throw new Error(`${method} failed: ${answer.error?.message ?? `HTTP ${response.status}`}`);
    return answer.result;
  };
  const json = async (url: string) => {
    const response = await fetchFn(url);
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  };

  const resource = await json(`${origin}/.well-known/oauth-protected-resource/mcp`);
  const tools = ((await rpc('tools/list', {})).tools ?? []) as ListedTool[];
  const resources = ((await rpc('resources/list', {})).resources ?? []) as { uri: string; mimeType?: string; _meta?: Record<string, unknown> }[];
  const widget = resources.find((each) => each.mimeType === RESOURCE_MIME_TYPE);
  const rows: CheckRow[] = [];

  rows.push(row('An https public URL', isHttps(resource.resource) ? [] : [`the MCP URL is ${String(resource.resource)}: ChatGPT needs https (pnpm dev --tunnel, or PUBLIC_URL)`], String(resource.resource)));

  const unannotated = tools.filter((tool) => HINTS.some((hint) => typeof tool.annotations?.[hint] !== 'boolean'));
  rows.push(
    row(
      'Every tool has its read-only, destructive and open-world hints',
      unannotated.map((tool) => `${tool.name} lacks ${HINTS.filter((hint) => typeof tool.annotations?.[hint] !== 'boolean').join(', ')}`),
      `${tools.length} tools`,
    ),
  );

  const unsecured = tools.filter((tool) => !Array.isArray(tool.securitySchemes) || tool.securitySchemes.length === 0 || tool.securitySchemes.some((scheme) => scheme.type !== 'noauth' && scheme.type !== 'oauth2'));
  rows.push(row('Every tool declares its securitySchemes', unsecured.map((tool) => `${tool.name} has none (or one ChatGPT does not know)`), `${tools.length} tools`));

  const csp = widget?._meta?.ui as { csp?: unknown; domain?: unknown } | undefined;
  const cspProblems = !widget ? [`no widget resource (${RESOURCE_MIME_TYPE}) is listed`] : [...(csp?.csp ? [] : ['no _meta.ui.csp']), ...(widget._meta?.['openai/widgetCSP'] ? [] : ['no _meta["openai/widgetCSP"]'])];
  rows.push(row("The widget's CSP is declared", cspProblems, widget ? widget.uri : ''));
  const domain = widget?._meta?.['openai/widgetDomain'] ?? csp?.domain;
  rows.push(row("The widget's domain is declared", isHttps(domain) ? [] : [`no https _meta["openai/widgetDomain"] (it is the public URL once that is https)`], String(domain)));

  const tooLong: string[] = [];
  for (const tool of tools) {
    if (tool.name.length > LENGTH_LIMITS.name) tooLong.push(`${tool.name}: name over ${LENGTH_LIMITS.name}`);
    if ((tool.description ?? '').length > LENGTH_LIMITS.description) tooLong.push(`${tool.name}: description of ${tool.description!.length} characters, over ${LENGTH_LIMITS.description}`);
    if (!tool.description) tooLong.push(`${tool.name}: no description`);
    for (const key of ['openai/toolInvocation/invoking', 'openai/toolInvocation/invoked']) {
      const line = tool._meta?.[key];
      if (typeof line === 'string' && line.length > LENGTH_LIMITS.statusLine) tooLong.push(`${tool.name}: ${key} over ${LENGTH_LIMITS.statusLine}`);
    }
  }
  const longest = Math.max(0, ...tools.map((tool) => (tool.description ?? '').length));
  rows.push(row('Descriptions within length limits', tooLong, `longest description ${longest} of ${LENGTH_LIMITS.description} characters`));

  rows.push(row('A privacy policy URL (PRIVACY_POLICY_URL)', isHttps(resource.resource_policy_uri) ? [] : ['not configured as an https URL: set PRIVACY_POLICY_URL'], String(resource.resource_policy_uri)));
  rows.push(row('A support URL (SUPPORT_URL)', isHttps(resource.resource_documentation) ? [] : ['not configured as an https URL: set SUPPORT_URL'], String(resource.resource_documentation)));

  rows.push(await signInRow(tools, rpc, json, fetchFn));
  return rows;
}

/** A signed-out call of a tool that needs sign-in, as ChatGPT makes it, then the discovery its challenge starts. */
async function signInRow(tools: ListedTool[], rpc: (method: string, params: Record<string, unknown>) => Promise<Record<string, unknown>>, json: (url: string) => Promise<Record<string, unknown>>, fetchFn: typeof fetch): Promise<CheckRow> {
  const check = 'Sign-in is reachable from the challenge';
  const guarded = tools.find((tool) => tool.securitySchemes?.every((scheme) => scheme.type === 'oauth2'));
  if (!guarded) return row(check, ['no tool needs sign-in'], '');
  try {
    const result = await rpc('tools/call', { name: guarded.name, arguments: {}, _meta: CHATGPT_HINTS });
    const challenge = ((result._meta as Record<string, unknown> | undefined)?.['mcp/www_authenticate'] as string[] | undefined)?.[0];
    if (!challenge) return row(check, [`a signed-out ${guarded.name} gave no in-band challenge (_meta["mcp/www_authenticate"])`], '');
    const { resourceMetadataUrl } = extractWWWAuthenticateParams(new Response(null, { headers: { 'www-authenticate': challenge } }));
    if (!resourceMetadataUrl) return row(check, ['the challenge names no resource_metadata'], challenge);
    const issuer = ((await json(resourceMetadataUrl.href)).authorization_servers as string[] | undefined)?.[0];
    if (!issuer) return row(check, [`${resourceMetadataUrl.href} names no authorization server`], '');
    const metadata = await discoverAuthorizationServerMetadata(issuer, { fetchFn });
    const problems = [
      ...(metadata ? [] : [`no authorization server metadata at ${issuer}`]),
      ...(metadata && !metadata.code_challenge_methods_supported?.includes('S256') ? ['no PKCE S256'] : []),
      ...(metadata && !metadata.registration_endpoint && !(metadata as { client_id_metadata_document_supported?: boolean }).client_id_metadata_document_supported ? ['neither dynamic registration nor client metadata documents'] : []),
    ];
    return row(check, problems, `${guarded.name} → ${resourceMetadataUrl.href} → ${issuer}`);
  } catch (error) {
    return row(check, [error instanceof Error ? error.message : String(error)], '');
  }
}
