import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../server/config.ts';

describe('loadConfig', () => {
  it('needs nothing set: localhost:3000, ./data, open sign-up', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', publicUrl: 'http://localhost:3000', resourceUrl: 'http://localhost:3000/mcp', signup: 'open', authChallenge: 'auto' });
    expect(config.databaseFile).toMatch(/\/data\/kanban\.sqlite$/);
  });

  it('derives the resource URL and allowed hosts from PUBLIC_URL, without trailing-slash drift', () => {
    const config = loadConfig({ PUBLIC_URL: 'https://Kanban-Demo.ngrok.app/' });
    expect(config.publicUrl).toBe('https://kanban-demo.ngrok.app');
    expect(config.resourceUrl).toBe('https://kanban-demo.ngrok.app/mcp');
    expect(config.allowedHostnames).toEqual(['localhost', '127.0.0.1', '[::1]', 'kanban-demo.ngrok.app']);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PUBLIC_URL: '', PORT: '' }).publicUrl).toBe('http://localhost:3000');
  });

  it.each([
    [{ PORT: '70000' }, 'Invalid configuration: PORT must be 0–65535 (got "70000").'],
    [{ PORT: '3.5' }, 'Invalid configuration: PORT must be a whole number (got "3.5").'],
    [{ PUBLIC_URL: 'ftp://files.example' }, 'Invalid configuration: PUBLIC_URL must be an http(s) URL of this server as clients reach it, such as https://abc.ngrok.app (got "ftp://files.example").'],
    [{ PUBLIC_URL: 'https://abc.ngrok.app/mcp' }, 'Invalid configuration: PUBLIC_URL must be an origin only (scheme, host and port), with no path, query or credentials (got "https://abc.ngrok.app/mcp").'],
    [{ AUTH_ISSUER: 'tenant.auth0.com' }, 'Invalid configuration: AUTH_ISSUER must be an http(s) URL of an OAuth authorization server, such as https://tenant.auth0.com/ (got "tenant.auth0.com").'],
    [{ AUTH_ISSUER: 'http://idp.example/' }, 'Invalid configuration: AUTH_ISSUER must use https (plain http only for an issuer on this machine) (got "http://idp.example/").'],
    [{ AUTH_CHALLENGE: 'sometimes' }, 'Invalid configuration: AUTH_CHALLENGE must be auto, inband or http (got "sometimes").'],
    [{ SIGNUP: 'maybe' }, 'Invalid configuration: SIGNUP must be open or closed (got "maybe").'],
    [{ INTROSPECTIONS_PER_ADDRESS: '0' }, 'Invalid configuration: INTROSPECTIONS_PER_ADDRESS must be 1–1000000 (got "0").'],
    [{ USERINFO_REQUESTS_PER_ADDRESS: 'lots' }, 'Invalid configuration: USERINFO_REQUESTS_PER_ADDRESS must be a number of requests (got "lots").'],
    [{ LOG_LEVEL: 'loud' }, 'Invalid configuration: LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent (got "loud").'],
    [{ NODE_ENV: 'staging' }, 'Invalid configuration: NODE_ENV must be development, production or test (got "staging").'],
    [{ TRUST_PROXY: 'true' }, `Invalid configuration: TRUST_PROXY ${TRUST_PROXY_RULE} (got "true").`],
    [{ TRUST_PROXY: '99' }, `Invalid configuration: TRUST_PROXY ${TRUST_PROXY_RULE} (got "99").`],
    [{ TRUST_PROXY: '10.0.0.1/33' }, `Invalid configuration: TRUST_PROXY ${TRUST_PROXY_RULE} (got "10.0.0.1/33").`],
    [{ TRUST_PROXY: 'proxy.internal' }, `Invalid configuration: TRUST_PROXY ${TRUST_PROXY_RULE} (got "proxy.internal").`],
    [{ NODE_ENV: 'production', PUBLIC_URL: 'http://kanban.example' }, 'Invalid configuration: PUBLIC_URL must be https in production (got "http://kanban.example"); plain http is allowed only for localhost.'],
  ])('refuses %o with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });

  it.each([
    [{}, 'open'],
    [{ NODE_ENV: 'development' }, 'open'],
    [{ NODE_ENV: 'test' }, 'open'],
    [{ NODE_ENV: 'production' }, 'closed'],
    [{ NODE_ENV: 'production', SIGNUP: 'open' }, 'open'],
    [{ NODE_ENV: 'development', SIGNUP: 'closed' }, 'closed'],
  ])('%o: sign-up is %s (closed by default in production, where pnpm start runs)', (env, signup) => {
    expect(loadConfig(env).signup).toBe(signup);
  });

  it('limits introspection and userinfo per address: 300 each in 15 minutes unless set', () => {
    expect(loadConfig({}).issuerEndpoints).toEqual({ introspectionsPerAddress: 300, userinfoRequestsPerAddress: 300 });
    expect(loadConfig({ INTROSPECTIONS_PER_ADDRESS: '50', USERINFO_REQUESTS_PER_ADDRESS: '60' }).issuerEndpoints).toEqual({ introspectionsPerAddress: 50, userinfoRequestsPerAddress: 60 });
  });

  it('production: https, or plain http for this machine only', () => {
    expect(loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://kanban.example' }).publicUrl).toBe('https://kanban.example');
    expect(loadConfig({ NODE_ENV: 'production' }).publicUrl).toBe('http://localhost:3000');
    expect(loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'http://127.0.0.1:8080' }).publicUrl).toBe('http://127.0.0.1:8080');
  });

  it.each([
    [undefined, false],
    ['false', false],
    ['1', 1],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.168.1.7, ::1, uniquelocal', ['10.0.0.0/8', '192.168.1.7', '::1', 'uniquelocal']],
  ])('TRUST_PROXY=%s trusts %o', (value, trust) => {
    expect(loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy).toEqual(trust);
  });
});

const TRUST_PROXY_RULE =
  'must be false, a number of proxy hops (1 to 5), or addresses, subnets or loopback/linklocal/uniquelocal separated by commas; true (trust every hop) is not allowed';
