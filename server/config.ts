import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';

// Every environment variable kanban-mcp reads, parsed once. A wrong value stops the start with
// one line naming the variable and what it wants (ConfigError; server/main.ts prints it).

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const httpUrl = (what: string) =>
  z
    .string()
    .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), { error: `must be an http(s) URL of ${what}` });

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
/** More hops than any real chain of proxies is "trust everything" by another name. */
const MAX_PROXY_HOPS = 5;

/** An address, a subnet (address/bits) or one of Express's names for a range. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.includes(entry)) return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/**
 * Which proxies may tell us the client's address (X-Forwarded-For): none (false), the nearest N
 * hops, or these addresses. "Every hop" (true) is refused: anyone could then pick their address
 * and escape the per-address rate limits.
 */
const trustProxySchema = z
  .string()
  .transform((value, context): false | number | string[] => {
    if (value === 'false') return false;
    if (/^\d+$/.test(value) && Number(value) <= MAX_PROXY_HOPS) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    if (value !== 'true' && entries.length > 0 && entries.every(isProxyAddress)) return entries;
    context.addIssue({ code: 'custom', message: `must be false, a number of proxy hops (1 to ${MAX_PROXY_HOPS}), or addresses, subnets or loopback/linklocal/uniquelocal separated by commas; true (trust every hop) is not allowed` });
    return z.NEVER;
  });

/** A DNS name as a URL's hostname reads (lowercase): no scheme, port, path or wildcard. */
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Where the embedded issuer may send an authorization error before anyone approved the app
 * (RFC 9700 §4.11.2: elsewhere it shows a page and lets the person choose). `none`: nowhere.
 */
const redirectHostsSchema = z
  .string()
  .transform((value, context): string[] => {
    if (value.trim() === 'none') return [];
    const hosts = value.split(',').map((host) => host.trim().toLowerCase()).filter(Boolean);
    if (hosts.length > 0 && hosts.every((host) => HOSTNAME.test(host))) return hosts;
    context.addIssue({ code: 'custom', message: 'must be hostnames separated by commas, such as chatgpt.com,claude.ai (no scheme, port or path), or none' });
    return z.NEVER;
  });

// Password guessing and hashing (server/auth/issuer/rate-limits.ts, account-throttle.ts, passwords.ts).
/** OWASP's minimum scrypt cost: N = 2^17 (r = 8, p = 1). Lower only under NODE_ENV=test, to keep the suite fast. */
const MIN_PASSWORD_HASH_COST = 17;
const whole = (what: string, min: number, max: number) =>
  z.coerce.number({ error: `must be ${what}` }).int({ error: 'must be a whole number' }).min(min, { error: `must be ${min}–${max}` }).max(max, { error: `must be ${min}–${max}` });
const signInEnv = {
  SIGNIN_FAILURES_PER_ADDRESS: whole('a number of failed sign-ins', 1, 1_000_000).default(30),
  SIGNIN_FAILURES_PER_ACCOUNT: whole('a number of failed sign-ins', 1, 1_000_000).default(5),
  SIGNUPS_PER_ADDRESS: whole('a number of sign-ups', 1, 1_000_000).default(10),
  PASSWORD_HASH_COST: whole('log2 of scrypt\'s N', 10, 18).default(MIN_PASSWORD_HASH_COST),
  PASSWORD_HASH_CONCURRENCY: whole('a number of hashes', 1, 64).default(2),
  PASSWORD_HASH_QUEUE: whole('a number of sign-ins', 0, 10_000).default(20),
};

// Floods and hoarding (server/mcp/rate-limits.ts, server/kanban/quotas.ts).
const usageEnv = {
  // ChatGPT sends every user's calls from a few addresses: signed-in calls count per user only.
  MCP_REQUESTS_PER_USER: whole('a number of requests', 1, 10_000_000).default(300),
  MCP_REQUESTS_PER_ADDRESS: whole('a number of requests', 1, 10_000_000).default(1200),
  QUOTA_BOARDS_PER_USER: whole('a number of boards', 1, 1_000_000).default(100),
  QUOTA_CARDS_PER_USER: whole('a number of cards', 1, 10_000_000).default(5000),
  QUOTA_DESCRIPTION_CHARS_PER_BOARD: whole('a number of characters', 10_000, 100_000_000).default(1_000_000),
  REDIS_URL: z
    .string()
    .refine((value) => URL.canParse(value) && /^rediss?:$/.test(new URL(value).protocol), { error: 'must be a Redis URL, redis://host:6379 or rediss://user:password@host:6380 (unset: no Redis)' })
    .optional(),
};

export interface UsageLimits {
  /** /mcp requests a minute: per signed-in user, and per address for everyone not signed in. */
  mcpRequestsPerUser: number;
  mcpRequestsPerAddress: number;
  /** Boards a user may own, cards on their boards, and characters of card descriptions on one board. */
  boardsPerUser: number;
  cardsPerUser: number;
  descriptionCharsPerBoard: number;
}

export interface SignInSettings {
  /** Failed sign-ins per address in 15 minutes, whatever the usernames. */
  failuresPerAddress: number;
  /** Failed sign-ins an account takes, from any address, before each further one doubles the wait. */
  failuresPerAccount: number;
  /** Sign-up attempts per address in an hour. */
  signupsPerAddress: number;
  /** scrypt's N is 2^hashCost. */
  hashCost: number;
  /** Password hashes computed at once in this process, and how many more may wait for a turn. */
  hashConcurrency: number;
  hashQueue: number;
}

function signInSettings(vars: Record<keyof typeof signInEnv, number> & { NODE_ENV: string }): SignInSettings {
  if (vars.PASSWORD_HASH_COST < MIN_PASSWORD_HASH_COST && vars.NODE_ENV !== 'test') {
    throw new ConfigError(`Invalid configuration: PASSWORD_HASH_COST must be at least ${MIN_PASSWORD_HASH_COST} (OWASP's minimum) outside NODE_ENV=test (got "${vars.PASSWORD_HASH_COST}").`);
  }
  return {
    failuresPerAddress: vars.SIGNIN_FAILURES_PER_ADDRESS,
    failuresPerAccount: vars.SIGNIN_FAILURES_PER_ACCOUNT,
    signupsPerAddress: vars.SIGNUPS_PER_ADDRESS,
    hashCost: vars.PASSWORD_HASH_COST,
    hashConcurrency: vars.PASSWORD_HASH_CONCURRENCY,
    hashQueue: vars.PASSWORD_HASH_QUEUE,
  };
}

// Requests per address in 15 minutes at issuer endpoints that read the database for any caller
// (server/auth/issuer/rate-limits.ts).
const issuerEndpointEnv = {
  INTROSPECTIONS_PER_ADDRESS: whole('a number of requests', 1, 1_000_000).default(300),
  USERINFO_REQUESTS_PER_ADDRESS: whole('a number of requests', 1, 1_000_000).default(300),
};

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'must be development, production or test' }).default('development'),
  PORT: z.coerce.number({ error: 'must be a port number' }).int({ error: 'must be a whole number' }).min(0, { error: 'must be 0–65535' }).max(65535, { error: 'must be 0–65535' }).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: httpUrl('this server as clients reach it, such as https://abc.ngrok.app')
    .refine((value) => { const url = new URL(value); return (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash && !url.username && !url.password; }, { error: 'must be an origin only (scheme, host and port), with no path, query or credentials' })
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .refine((value) => URL.canParse(value) && /^postgres(ql)?:$/.test(new URL(value).protocol), { error: 'must be a PostgreSQL URL, postgres://user:password@host:5432/database (unset: SQLite under DATA_DIR)' })
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number({ error: 'must be a number of connections' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be 1–100' }).max(100, { error: 'must be 1–100' }).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number({ error: 'must be milliseconds' }).int({ error: 'must be a whole number' }).min(100, { error: 'must be 100–600000' }).max(600_000, { error: 'must be 100–600000' }).default(5000),
  AUTH_ISSUER: httpUrl('an OAuth authorization server, such as https://tenant.auth0.com/')
    .refine(isSecureOrLoopback, { error: 'must use https (plain http only for an issuer on this machine)' })
    .optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  AUTH_CHALLENGE: z.enum(['auto', 'inband', 'http'], { error: 'must be auto, inband or http' }).default('auto'),
  // Unset: open for development, closed in production (see loadConfig).
  SIGNUP: z.enum(['open', 'closed'], { error: 'must be open or closed' }).optional(),
  TRUST_PROXY: trustProxySchema.default(false),
  ...signInEnv,
  ...issuerEndpointEnv,
  ...usageEnv,
  // ChatGPT's redirect URIs are all on chatgpt.com (see docs/auth.md, /oauth/authorize).
  AUTH_TRUSTED_REDIRECT_HOSTS: redirectHostsSchema.default(['chatgpt.com']),
  // What a ChatGPT app directory submission asks for, published in the resource metadata (pnpm check:app reads them).
  PRIVACY_POLICY_URL: httpUrl('the page of your privacy policy, such as https://example.com/privacy').optional(),
  SUPPORT_URL: httpUrl('where people get help with the app, such as https://example.com/support').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be fatal, error, warn, info, debug, trace or silent' }).default('info'),
});

export type AppConfig = Readonly<{
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** The origin clients use to reach us, without a trailing slash. */
  publicUrl: string;
  /** The canonical MCP resource URL: what tokens must be issued for. */
  resourceUrl: string;
  dataDir: string;
  /** The SQLite file, used when databaseUrl is not set. */
  databaseFile: string;
  /** PostgreSQL, shared by every replica; unset: SQLite. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  databaseStatementTimeoutMs: number;
  authIssuer: string | undefined;
  authAudience: string | undefined;
  authChallenge: 'auto' | 'inband' | 'http';
  signup: 'open' | 'closed';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Host header names we answer to (DNS-rebinding protection). */
  allowedHostnames: readonly string[];
  /** Express's `trust proxy`: whose X-Forwarded-For names the client. */
  trustProxy: false | number | readonly string[];
  /** Password guessing and hashing limits. */
  signIn: SignInSettings;
  /** Requests per address in 15 minutes at the issuer's introspection and userinfo endpoints. */
  issuerEndpoints: Readonly<{ introspectionsPerAddress: number; userinfoRequestsPerAddress: number }>;
  /** Redirect hosts an authorization error goes back to unasked (server/auth/issuer/error-redirects.ts). */
  trustedRedirectHosts: readonly string[];
  /** Request rates and quotas. */
  usage: UsageLimits;
  /** Redis, where set: request budgets shared by every replica (server/rate-limits/budgets.ts). */
  redisUrl: string | undefined;
  /** The app's privacy policy and support pages, for people and for the app directory. */
  privacyPolicyUrl: string | undefined;
  supportUrl: string | undefined;
}>;

/** Names of this machine: always allowed as Host, and the only places plain http is tolerated. */
export const LOOPBACK_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]'] as const;

export function isLoopbackHostname(hostname: string): boolean {
  return (LOOPBACK_HOSTNAMES as readonly string[]).includes(hostname);
}

/** https, or http to this machine (tests and local IdPs). */
export function isSecureOrLoopback(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHostname(url.hostname));
}

const SECRET_VARIABLES = new Set(['DATABASE_URL', 'REDIS_URL']);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty variable (`PUBLIC_URL=`) means "not set", as in most shells' .env habits.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    const got = present[name];
    // A database URL may carry a password: never repeat it.
    const shown = got === undefined || SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(got.length > 80 ? `${got.slice(0, 80)}…` : got)})`;
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message}${shown}.`);
  }
  const vars = parsed.data;
  const publicUrl = new URL(vars.PUBLIC_URL ?? `http://localhost:${vars.PORT}`).origin;
  // Tokens, passwords and session cookies cross this URL: in production only over TLS.
  if (vars.NODE_ENV === 'production' && !isSecureOrLoopback(publicUrl)) {
    throw new ConfigError(`Invalid configuration: PUBLIC_URL must be https in production (got ${JSON.stringify(publicUrl)}); plain http is allowed only for localhost.`);
  }
  const dataDir = resolve(vars.DATA_DIR);
  return Object.freeze({
    env: vars.NODE_ENV,
    port: vars.PORT,
    host: vars.HOST,
    publicUrl,
    resourceUrl: `${publicUrl}/mcp`,
    dataDir,
    databaseFile: resolve(dataDir, 'kanban.sqlite'),
    databaseUrl: vars.DATABASE_URL,
    databasePoolSize: vars.DATABASE_POOL_SIZE,
    databaseStatementTimeoutMs: vars.DATABASE_STATEMENT_TIMEOUT_MS,
    authIssuer: vars.AUTH_ISSUER,
    authAudience: vars.AUTH_AUDIENCE,
    authChallenge: vars.AUTH_CHALLENGE,
    // `pnpm start` (production) lets in only the accounts the operator adds; `pnpm dev` anyone.
    signup: vars.SIGNUP ?? (vars.NODE_ENV === 'production' ? 'closed' : 'open'),
    logLevel: vars.LOG_LEVEL,
    allowedHostnames: [...new Set([...LOOPBACK_HOSTNAMES, new URL(publicUrl).hostname])],
    trustProxy: vars.TRUST_PROXY,
    signIn: signInSettings(vars),
    issuerEndpoints: { introspectionsPerAddress: vars.INTROSPECTIONS_PER_ADDRESS, userinfoRequestsPerAddress: vars.USERINFO_REQUESTS_PER_ADDRESS },
    trustedRedirectHosts: vars.AUTH_TRUSTED_REDIRECT_HOSTS,
    usage: {
      mcpRequestsPerUser: vars.MCP_REQUESTS_PER_USER,
      mcpRequestsPerAddress: vars.MCP_REQUESTS_PER_ADDRESS,
      boardsPerUser: vars.QUOTA_BOARDS_PER_USER,
      cardsPerUser: vars.QUOTA_CARDS_PER_USER,
      descriptionCharsPerBoard: vars.QUOTA_DESCRIPTION_CHARS_PER_BOARD,
    },
    redisUrl: vars.REDIS_URL,
    privacyPolicyUrl: vars.PRIVACY_POLICY_URL,
    supportUrl: vars.SUPPORT_URL,
  });
}
