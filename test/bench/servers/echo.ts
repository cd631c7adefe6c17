import { z } from 'zod';

// The one tool both bare-SDK baselines serve, so that (a) on the v2 SDK and (a-v1) on the v1 SDK
// differ in the SDK only. A z.object schema: v2 takes only Standard Schemas, v1 takes it too.

export const ECHO_SERVER_INFO = { name: 'bare-sdk-echo', version: '1.0.0' };

export const ECHO_TOOL = {
  name: 'echo',
  config: { description: 'Echoes the message.', inputSchema: z.object({ message: z.string() }) },
  answer: ({ message }: { message: string }) => ({ content: [{ type: 'text' as const, text: message }] }),
};
