// Module resolution hook: `@ngrok/ngrok` resolves to the stand-in next to this file.
const STAND_IN = new URL('./ngrok.ts', import.meta.url).href;

export async function resolve(specifier: string, context: unknown, next: (specifier: string, context: unknown) => Promise<unknown>) {
  if (specifier === '@ngrok/ngrok') return { url: STAND_IN, shortCircuit: true };
  return next(specifier, context);
}
