// ChatGPT's older widget API, `window.openai`, emulated for a widget in a sandboxed iframe: the
// globals (tool output, theme, display mode…) and the calls (callTool, sendFollowUpMessage,
// setWidgetState…). A script injected before the widget's own, as ChatGPT injects it, talks to the
// host page over a MessageChannel, so the widget's MCP Apps transport (postMessage, waiting for an
// MCP Apps host) never sees these messages. Used by the playground and by the widget tests' host.

import { SET_GLOBALS_EVENT } from '../../src/openai-globals.ts';

/** What the widget can ask of the host through window.openai, by the name of its method. */
export interface OpenAiHostHandlers {
  callTool(name: string, args: Record<string, unknown>): Promise<unknown>;
  sendFollowUpMessage(args: { prompt: string }): unknown;
  setWidgetState(state: unknown): unknown;
  requestDisplayMode(args: { mode: string }): unknown;
  openExternal(args: { href: string }): unknown;
  notifyIntrinsicHeight(height: number): unknown;
}

const METHODS: (keyof OpenAiHostHandlers)[] = ['callTool', 'sendFollowUpMessage', 'setWidgetState', 'requestDisplayMode', 'openExternal', 'notifyIntrinsicHeight'];

/** JSON that is safe inside an inline <script>: no `</script>` can close it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** The <script> a host injects first in the widget's <head>, with the globals it starts from. */
export function openAiEmulationScript(globals: Record<string, unknown>): string {
  return `<script>
(() => {
  const channel = new MessageChannel();
  const waiting = new Map();
  let next = 1;
  const ask = (method, args) => new Promise((resolve, reject) => {
    const id = next++;
    waiting.set(id, { resolve, reject });
    channel.port1.postMessage({ id, method, args });
  });
  const announce = (globals) => window.dispatchEvent(new CustomEvent(${scriptJson(SET_GLOBALS_EVENT)}, { detail: { globals } }));
  channel.port1.onmessage = (event) => {
    // The host changed some globals (theme, display mode…): ChatGPT announces every change.
    if (event.data.globals) {
      Object.assign(window.openai, event.data.globals);
      return announce(event.data.globals);
    }
    const { id, result, error } = event.data;
    const call = waiting.get(id);
    waiting.delete(id);
    if (error) call.reject(new Error(error)); else call.resolve(result);
  };
  window.parent.postMessage({ openaiEmulation: 'connect' }, '*', [channel.port2]);
  const api = {};
  for (const method of ${scriptJson(METHODS)}) api[method] = (...args) => ask(method, args);
  api.setWidgetState = (state) => {
    window.openai.widgetState = state;
    announce({ widgetState: state });
    return ask('setWidgetState', [state]);
  };
  window.openai = Object.assign(${scriptJson(globals)}, api);
})();
</script>`;
}

export interface OpenAiHost {
  /** Changes globals in the widget, announced with openai:set_globals as ChatGPT does. */
  setGlobals(globals: Record<string, unknown>): void;
  close(): void;
}

/** Answers the emulation script of the widget in `iframe` (call before the widget loads). */
export function serveOpenAiEmulation(iframe: HTMLIFrameElement, handlers: OpenAiHostHandlers): OpenAiHost {
  let port: MessagePort | undefined;
  const connect = (event: MessageEvent) => {
    if (event.source !== iframe.contentWindow || event.data?.openaiEmulation !== 'connect' || !event.ports[0]) return;
    port = event.ports[0];
    port.onmessage = async ({ data }: MessageEvent<{ id: number; method: keyof OpenAiHostHandlers; args: unknown[] }>) => {
      try {
        if (!METHODS.includes(data.method)) throw new Error(`window.openai has no ${String(data.method)}`);
        const handler = handlers[data.method] as (...args: unknown[]) => unknown;
        port!.postMessage({ id: data.id, result: (await handler(...data.args)) ?? null });
      } catch (error) {
        port!.postMessage({ id: data.id, error: error instanceof Error ? error.message : String(error) });
      }
    };
  };
  window.addEventListener('message', connect);
  return {
    setGlobals(globals) {
      port?.postMessage({ globals });
    },
    close() {
      window.removeEventListener('message', connect);
      port?.close();
    },
  };
}
