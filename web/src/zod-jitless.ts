import { config } from 'zod/v4/core';

// zod probes `new Function("")` the first time a schema is built, and the MCP SDK builds hundreds
// at import. The host's CSP forbids eval, so each load would log a violation. This module is the
// first import of the bridge (mcp-apps.ts), so the switch is set before any schema exists.
config({ jitless: true });
