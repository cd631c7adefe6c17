/** The policy MCP Apps hosts apply to a widget whose resource declares no domains. */
export const MCP_APPS_DEFAULT_CSP =
  "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self' data:; connect-src 'none'";
