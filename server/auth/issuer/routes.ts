// Where the embedded issuer's endpoints live: all under /oauth, in one place for oidc-provider's
// configuration, our rate limits, CORS and method checks.
export const ISSUER_ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  registration: '/oauth/register',
  jwks: '/oauth/jwks',
  revocation: '/oauth/revoke',
  introspection: '/oauth/introspect',
  userinfo: '/oauth/userinfo',
} as const;

/** The methods each endpoint answers (OPTIONS is the CORS preflight); anything else gets 405. */
export const ISSUER_METHODS: Record<string, readonly string[]> = {
  [ISSUER_ROUTES.authorization]: ['GET', 'HEAD'],
  [ISSUER_ROUTES.token]: ['POST', 'OPTIONS'],
  [ISSUER_ROUTES.registration]: ['POST', 'OPTIONS'],
  [ISSUER_ROUTES.revocation]: ['POST', 'OPTIONS'],
  [ISSUER_ROUTES.introspection]: ['POST', 'OPTIONS'],
  [ISSUER_ROUTES.jwks]: ['GET', 'HEAD'],
};
