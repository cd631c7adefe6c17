import { whoamiInput, whoamiOutput } from './schemas.ts';
import { defineTool, READS_OWN_DATA, SIGNED_IN } from '../catalogue.ts';
import { viewerOutput } from './viewer-output.ts';

export const whoami = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description:
    'Tells who is signed in to Kanban in this conversation and what they allowed it to do (scopes). ' +
    'Use it when the user asks whether they are signed in, or as which account.',
  input: whoamiInput,
  output: whoamiOutput,
  annotations: READS_OWN_DATA,
  securitySchemes: SIGNED_IN,
  signInPrompt: 'Sign in to see your account',
  invocation: { invoking: 'Checking your sign-in…', invoked: 'Signed in' },
  handler(_args, { viewer }) {
    // The guard lets only signed-in viewers reach this handler.
    if (!viewer.signedIn) throw new Error('whoami reached without a signed-in viewer');
    const who = viewer.name ?? 'an account without a display name';
    return {
      summary: `Signed in as ${who}, with ${viewer.scopes.length > 0 ? viewer.scopes.join(', ') : 'no scopes'}.`,
      structured: {
        view: 'account' as const,
        viewer: viewerOutput(viewer),
        subject: viewer.subject,
        scopes: [...viewer.scopes],
        clientId: viewer.clientId ?? null,
      },
    };
  },
});
