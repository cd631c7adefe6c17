import { postgresUrlWithoutPassword } from '../db/database.ts';
import { isLoopbackHostname, type AppConfig } from './config.ts';

// What `pnpm dev` / `pnpm start` print once listening: where it is, who signs people in, where
// the data lives, and the one next step that fits this configuration.

export interface BannerFacts {
  /** The port it listens on (PORT=0 picks one). */
  port: number;
  /** Accounts of the embedded issuer; undefined with an external issuer. */
  accounts: number | undefined;
}

function signUpLine(config: AppConfig, accounts: number | undefined): string {
  if (config.authIssuer !== undefined) return 'managed by your identity provider';
  if (config.signup === 'open') return 'open (anyone can create an account on the sign-in page)';
  return accounts === 0 ? 'closed, and there are no accounts yet: add one with pnpm user:add NAME' : `closed (${accounts} account${accounts === 1 ? '' : 's'}; pnpm user:add NAME adds one)`;
}

/** Open sign-up where others can reach the server: anyone who finds the URL gets an account. */
function signUpWarning(config: AppConfig): string[] {
  if (config.authIssuer !== undefined || config.signup !== 'open') return [];
  if (config.env !== 'production' && isLoopbackHostname(new URL(config.publicUrl).hostname)) return [];
  return [`Warning: anyone who reaches ${config.publicUrl} can create an account (SIGNUP=open).`, '  To choose who signs in: SIGNUP=closed, and pnpm user:add NAME for each person.', ''];
}

function nextStep(config: AppConfig): string[] {
  const mcpUrl = `${config.publicUrl}/mcp`;
  if (config.publicUrl.startsWith('https:')) {
    return [`Next: in ChatGPT, Settings → Apps → Advanced settings → Developer mode, then Create app with`, `  ${mcpUrl}  (README: Connect from ChatGPT)`];
  }
  return [
    `Next: call list_boards from MCP Inspector at ${mcpUrl}.`,
    `  ChatGPT needs https: pnpm dev --tunnel (with NGROK_AUTHTOKEN), or ngrok http ${config.port} and PUBLIC_URL (README).`,
  ];
}

export function startupBanner(config: AppConfig, facts: BannerFacts): string {
  const local = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${facts.port}`;
  const issuer = config.authIssuer === undefined ? `${config.publicUrl} (embedded)` : `${config.authIssuer} (external)`;
  // Outside production the playground comes first: it is where a person starts.
  const playground = config.env === 'production' ? [] : [`  Playground: ${config.publicUrl}/dev  (a local ChatGPT: call the tools, see the widget, sign in)`];
  return [
    '',
    '  kanban-mcp is running',
    ...playground,
    `  Local:     ${local}`,
    `  Public:    ${config.publicUrl}`,
    `  MCP URL:   ${config.publicUrl}/mcp`,
    `  Issuer:    ${issuer}`,
    `  Sign-up:   ${signUpLine(config, facts.accounts)}`,
    `  Data:      ${config.databaseUrl === undefined ? config.databaseFile : `PostgreSQL ${postgresUrlWithoutPassword(config.databaseUrl)}`}`,
    '',
    ...[...signUpWarning(config), ...nextStep(config)].map((line) => (line ? `  ${line}` : line)),
    '',
  ].join('\n');
}
