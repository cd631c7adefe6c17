import { AppBridge, PostMessageTransport, type McpUiHostContext } from '@modelcontextprotocol/ext-apps/app-bridge';

// A widget hosted as an MCP Apps host does it, through ext-apps' own AppBridge: what it asks of
// the host goes to `handlers`, its tool input and result are sent once it has initialised. Used
// by the playground (widget-frame.tsx) and by the widget tests' host
// (test/browser/widget-host/host.ts), so the two cannot drift apart.

type Handler<K extends 'oncalltool' | 'onmessage' | 'onopenlink' | 'onrequestdisplaymode'> = NonNullable<AppBridge[K]>;

export interface AppBridgeHandlers {
  callTool(params: Parameters<Handler<'oncalltool'>>[0]): ReturnType<Handler<'oncalltool'>>;
  message(params: Parameters<Handler<'onmessage'>>[0]): unknown;
  openLink(params: Parameters<Handler<'onopenlink'>>[0]): unknown;
  displayMode(params: Parameters<Handler<'onrequestdisplaymode'>>[0]): unknown;
  /** The height the widget says it needs. */
  height(height: number): void;
}

export interface AppBridgeHostOptions {
  /** The host's name, as the widget hears it in ui/initialize. */
  name: string;
  hostContext: McpUiHostContext;
  toolInput: Record<string, unknown>;
  toolResult: Parameters<AppBridge['sendToolResult']>[0];
  handlers: AppBridgeHandlers;
  /** The transport to the widget, as it is to be used (the playground logs its messages). */
  wrap?(transport: PostMessageTransport): PostMessageTransport;
}

/**
 * Bridges `iframe`'s window, listening before the widget loads (it says ui/initialize as soon as
 * its script runs): set the frame's srcdoc once this resolves.
 */
export async function hostThroughAppBridge(iframe: HTMLIFrameElement, options: AppBridgeHostOptions): Promise<AppBridge> {
  const { handlers } = options;
  // Every tool of ours is visible to the app (no ui.visibility), so there is nothing to withhold.
  const bridge = new AppBridge(null, { name: options.name, version: '1.0.0' }, { openLinks: {}, serverTools: {}, message: { text: {} } }, { hostContext: options.hostContext });
  bridge.oncalltool = (params) => handlers.callTool(params);
  bridge.onmessage = async (params) => {
    await handlers.message(params);
    return {};
  };
  bridge.onopenlink = async (params) => {
    await handlers.openLink(params);
    return {};
  };
  bridge.onrequestdisplaymode = async (params) => {
    await handlers.displayMode(params);
    return { mode: params.mode };
  };
  bridge.onsizechange = ({ height }) => {
    if (height !== undefined) handlers.height(height);
  };
  bridge.oninitialized = () => {
    void bridge.sendToolInput({ arguments: options.toolInput });
    void bridge.sendToolResult(options.toolResult);
  };
  const transport = new PostMessageTransport(iframe.contentWindow!, iframe.contentWindow!);
  await bridge.connect(options.wrap ? options.wrap(transport) : transport);
  return bridge;
}
