import { register } from 'node:module';

// `node --import <this file> server/cli/dev.ts --tunnel`: the dev runner gets the ngrok stand-in.
register('./hooks.ts', import.meta.url);
