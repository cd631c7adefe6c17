import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Browser, BrowserContext, Frame, FrameLocator, Page } from 'playwright-core';
import { build, type Rolldown } from 'vite';
import { cspViolations, recordCspViolations, type CspViolation } from './chromium.ts';
import { connectAs } from './kanban-actors.ts';
import type { RunningKanban } from './kanban-server.ts';

// The Node side of the test host (test/browser/widget-host/host.ts): fetches the widget the way
// a host does (tools/list names it, resources/read returns it), calls the tool for real, and
// hosts the result in Chromium. The widget's tool calls go to the real server over real HTTP,
// with the token of whoever the test signed in.

export const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));
const HOST_ENTRY = fileURLToPath(new URL('../browser/widget-host/host.ts', import.meta.url));

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** An axe-core finding, cut to what a person needs to fix it. */
export interface AccessibilityViolation {
  rule: string;
  impact: string | null;
  targets: string[];
}

let hostScript: Promise<string> | undefined;

/** The test host page's script: host.ts and ext-apps' AppBridge, bundled once per test file. */
export function testHostScript(): Promise<string> {
  hostScript ??= build({
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: false, lib: { entry: HOST_ENTRY, formats: ['iife'], name: 'testHost', fileName: 'host' } },
  }).then((output) => {
    const [first] = (Array.isArray(output) ? output : [output]) as Rolldown.RolldownOutput[];
    return first!.output[0].code;
  });
  return hostScript;
}

export interface HostedCall {
  name: string;
  args: Record<string, unknown>;
  result: CallToolResult;
}

export interface HostedWidget {
  page: Page;
  /** The widget's document, for locators. */
  widget: FrameLocator;
  /** Tool calls the widget made through the host. */
  calls: HostedCall[];
  /** Other requests the widget made of the host: messages, links, display modes, widget state. */
  records: { kind: string; payload: any }[];
  consoleErrors: string[];
  /** The tool result the host delivered. */
  delivered: CallToolResult;
  frame(): Promise<Frame>;
  /** axe-core's WCAG 2.x A/AA rules (colour contrast among them) on the widget as it is now. */
  accessibilityViolations(): Promise<AccessibilityViolation[]>;
  cspViolations(): Promise<CspViolation[]>;
  /** Holds every tool call the widget makes until the returned function is called. */
  holdToolCalls(): () => void;
  /** MCP Apps only: the host changes its context (theme, display mode…). */
  changeHostContext(change: Record<string, unknown>): Promise<void>;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface HostOptions {
  /** Bearer token of the signed-in person; none: signed out. */
  token?: string;
  tool: string;
  args?: Record<string, unknown>;
  /** `mcp-apps`: ext-apps' AppBridge. `openai`: only an emulated window.openai, as older ChatGPT. */
  bridge?: 'mcp-apps' | 'openai';
  theme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  reducedMotion?: 'reduce' | 'no-preference';
  widgetState?: unknown;
}

export const HOST_PAGE = `<!doctype html><html><head><title>Test host</title></head><body style="margin:0">
<iframe id="widget" title="Kanban widget" sandbox="allow-scripts" style="display:block;width:100%;height:480px;border:0"></iframe>
</body></html>`;

async function widgetHtml(client: Client, tool: string): Promise<string> {
  const { tools } = await client.listTools();
  const uri = (tools.find((each) => each.name === tool)?._meta?.ui as { resourceUri?: string } | undefined)?.resourceUri;
  if (!uri) throw new Error(`${tool} links no widget`);
  const { contents } = await client.readResource({ uri });
  const html = contents[0] && 'text' in contents[0] ? contents[0].text : undefined;
  if (!html || contents[0]?.mimeType !== 'text/html;profile=mcp-app') throw new Error(`resources/read of ${uri} gave no MCP Apps HTML`);
  return html;
}

export async function hostWidget(browser: Browser, kanban: RunningKanban, options: HostOptions): Promise<HostedWidget> {
  const client = await connectAs(kanban.mcpUrl, options.token, 'widget-test-host');
  const html = await widgetHtml(client, options.tool);
  const args = options.args ?? {};
  const delivered = (await client.callTool({ name: options.tool, arguments: args })) as CallToolResult;
  const theme = options.theme ?? 'light';

  const context: BrowserContext = await browser.newContext({ viewport: options.viewport ?? { width: 960, height: 640 }, reducedMotion: options.reducedMotion ?? 'no-preference' });
  await recordCspViolations(context);
  const page = await context.newPage();
  const calls: HostedCall[] = [];
  const records: HostedWidget['records'] = [];
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('dialog', (dialog) => {
    consoleErrors.push(`a ${dialog.type()} dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  let held: Promise<void> | undefined;
  await page.exposeFunction('hostCallTool', async (name: string, callArgs: Record<string, unknown>) => {
    await held;
    const result = (await client.callTool({ name, arguments: callArgs })) as CallToolResult;
    calls.push({ name, args: callArgs, result });
    return result;
  });
  await page.exposeFunction('hostRecord', (kind: string, payload: unknown) => {
    records.push({ kind, payload });
  });
  await page.setContent(HOST_PAGE);
  await page.addScriptTag({ content: await testHostScript() });
  if (options.bridge === 'openai') {
    await page.evaluate((start) => (window as any).testHost.startOpenAiHost(start), {
      html,
      toolOutput: delivered.structuredContent,
      toolResponseMetadata: delivered._meta ?? null,
      widgetState: options.widgetState ?? null,
      theme,
    });
  } else {
    const hostContext = { theme, displayMode: 'inline', availableDisplayModes: ['inline', 'fullscreen'], platform: 'web', locale: 'en-GB' };
    await page.evaluate((start) => (window as any).testHost.startMcpAppsHost(start), { html, toolInput: args, toolResult: delivered, hostContext });
  }

  const frame = async () => {
    const element = await page.$('#widget');
    const found = await element?.contentFrame();
    if (!found) throw new Error('the widget frame is gone');
    return found;
  };
  return {
    page,
    widget: page.frameLocator('#widget'),
    calls,
    records,
    consoleErrors,
    delivered,
    frame,
    async accessibilityViolations() {
      const widgetFrame = await frame();
      // Through DevTools, so the widget's CSP does not apply to the checker itself.
      if (!(await widgetFrame.evaluate('typeof window.axe === "object"'))) await widgetFrame.evaluate(AXE_SOURCE);
      const results = (await widgetFrame.evaluate(`window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })`)) as {
        violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
        passes: { id: string }[];
      };
      // Not a vacuous pass: the contrast rule must have looked at something.
      if (![...results.passes, ...results.violations].some((rule) => rule.id === 'color-contrast')) throw new Error('axe checked no text for colour contrast');
      return results.violations.map((violation) => ({ rule: violation.id, impact: violation.impact, targets: violation.nodes.map((node) => node.target.join(' ')) }));
    },
    async cspViolations() {
      return cspViolations(await frame());
    },
    holdToolCalls() {
      let release!: () => void;
      held = new Promise<void>((resolve) => (release = resolve));
      return () => {
        held = undefined;
        release();
      };
    },
    async changeHostContext(change) {
      await page.evaluate((next) => (window as any).testHost.changeHostContext(next), change);
    },
    async screenshot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const path = `${SCREENSHOTS}widget-${name}.png`;
      await page.locator('#widget').screenshot({ path });
      return path;
    },
    async close() {
      await context.close();
      await client.close();
    },
  };
}
