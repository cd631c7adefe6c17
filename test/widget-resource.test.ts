import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootKanban } from '../server/boot.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import { BUILT_WIDGET_FILE, WidgetNotBuiltError } from '../server/mcp/widget.ts';
import { connectClient, makeDataDir, postMcp, removeDataDir, startKanban, useKanbanWithClient } from './support/kanban-server.ts';

// The widget as an MCP resource: what tools/list links, what resources/list and resources/read
// answer (docs/chatgpt.md), and a server that refuses to start without a built widget.

const MIME = 'text/html;profile=mcp-app';
const URI = /^ui:\/\/widget\/kanban-[0-9a-f]{16}\.html$/;
const shared = useKanbanWithClient();

describe('the widget resource', () => {
  it('is listed once, with the MCP Apps MIME type and the resource _meta of both MCP Apps and ChatGPT', async () => {
    const { resources } = await shared.client.listResources();
    expect(resources).toHaveLength(1);
    const [widget] = resources;
    expect(widget!.uri).toMatch(URI);
    expect(widget!.mimeType).toBe(MIME);
    expect(widget!._meta).toMatchObject({
      ui: { prefersBorder: true, csp: { connectDomains: [], resourceDomains: [] } },
      'openai/widgetPrefersBorder': true,
      'openai/widgetCSP': { connect_domains: [], resource_domains: [] },
      'openai/widgetDescription': expect.stringMatching(/Kanban board/),
    });
    const { resourceTemplates } = await shared.client.listResourceTemplates();
    expect(resourceTemplates).toEqual([]);
  });

  it('reads as the built file, byte for byte, with mimeType and _meta in the contents, and loads nothing from elsewhere', async () => {
    const { resources } = await shared.client.listResources();
    const { contents } = await shared.client.readResource({ uri: resources[0]!.uri });
    expect(contents).toHaveLength(1);
    const [content] = contents as [{ uri: string; mimeType: string; text: string; _meta: Record<string, unknown> }];
    expect(content.uri).toBe(resources[0]!.uri);
    expect(content.mimeType).toBe(MIME);
    expect(content._meta).toEqual(resources[0]!._meta);
    expect(content.text).toBe(readFileSync(BUILT_WIDGET_FILE, 'utf8'));
    // One self-contained file: no script, style sheet or image fetched from anywhere.
    expect(content.text).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|<img[^>]+src=/i);
    expect(/<script type="module"[^>]*>/.test(content.text)).toBe(true);
    expect(content.text.length).toBeGreaterThan(100_000); // React and the bridge, inlined
  });

  it('is linked from every tool, by MCP Apps and ChatGPT keys, and the widget may call every tool', async () => {
    const { resources } = await shared.client.listResources();
    const { tools } = await shared.client.listTools();
    expect(tools.length).toBeGreaterThan(5);
    for (const tool of tools) {
      expect(tool._meta, tool.name).toMatchObject({
        ui: { resourceUri: resources[0]!.uri, visibility: ['model', 'app'] },
        'ui/resourceUri': resources[0]!.uri,
        'openai/outputTemplate': resources[0]!.uri,
        'openai/widgetAccessible': true,
      });
      expect(String(tool._meta!['openai/toolInvocation/invoking']).length, tool.name).toBeLessThanOrEqual(64);
      expect(String(tool._meta!['openai/toolInvocation/invoked']).length, tool.name).toBeLessThanOrEqual(64);
    }
  });

  // MCP 2026-07-28: resource not found is -32602 with data.uri, on every revision we serve.
  it('an unknown resource URI is a JSON-RPC "resource not found" (-32602, data.uri) that names the widget', async () => {
    const uri = 'ui://widget/kanban-0000000000000000.html';
    const response = await postMcp(shared.kanban.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { error: { code: number; message: string; data: { uri: string } } };
    expect(body.error.code).toBe(-32602);
    expect(body.error.data.uri).toBe(uri);
    expect(body.error.message).toMatch(/ui:\/\/widget\/kanban-[0-9a-f]{16}\.html/);
  });
});

describe('the widget URI is versioned by content', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kanban-widget-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a different build is a different URI (ChatGPT caches templates by URI)', async () => {
    const changed = join(dir, 'changed.html');
    copyFileSync(BUILT_WIDGET_FILE, changed);
    writeFileSync(changed, readFileSync(changed, 'utf8').replace('<title>Kanban</title>', '<title>Kanban 2</title>'));
    const other = await startKanban({ widgetFile: changed });
    try {
      const client = await connectClient(other.mcpUrl);
      const { resources } = await client.listResources();
      const ours = (await shared.client.listResources()).resources[0]!.uri;
      expect(resources[0]!.uri).toMatch(URI);
      expect(resources[0]!.uri).not.toBe(ours);
      await client.close();
    } finally {
      await other.stop();
      removeDataDir(other.dataDir);
    }
  });

  it('outside production, a new build is served at its new URI by the running server, the old URI gone and no list replayed from before', async () => {
    const file = join(dir, 'following.html');
    copyFileSync(BUILT_WIDGET_FILE, file);
    const running = await startKanban({ widgetFile: file });
    const listedUri = async () => {
      const answer = await (await postMcp(running.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} })).json();
      return answer.result.tools[0]._meta.ui.resourceUri as string;
    };
    try {
      const before = await listedUri();
      expect(await listedUri()).toBe(before); // kept, and replayed
      expect(running.logs.filter((line) => line.rpc === 'tools/list').map((line) => line.replayed === true)).toEqual([false, true]);
      // As pnpm dev publishes a build: written beside, then renamed over (server/cli/dev.ts).
      writeFileSync(`${file}.tmp`, readFileSync(file, 'utf8').replace('<title>Kanban</title>', '<title>Kanban, rebuilt</title>'));
      renameSync(`${file}.tmp`, file);
      await expect.poll(listedUri, { timeout: 5000 }).not.toBe(before);
      const after = await listedUri();
      expect(after).toMatch(URI);
      const client = await connectClient(running.mcpUrl);
      const { contents } = await client.readResource({ uri: after });
      expect((contents[0] as { text: string }).text).toContain('<title>Kanban, rebuilt</title>');
      await expect(client.readResource({ uri: before })).rejects.toThrow(/No resource/);
      await client.close();
    } finally {
      await running.stop();
      removeDataDir(running.dataDir);
    }
  });

  it('a server without a built widget does not start, says how to build it, and creates no database', async () => {
    const dataDir = makeDataDir();
    const config = loadConfig({ NODE_ENV: 'test', PORT: '3000', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const missing = join(dir, 'never-built.html');
    const boot = bootKanban(config, createLogger('silent'), { widgetFile: missing });
    await expect(boot).rejects.toBeInstanceOf(WidgetNotBuiltError);
    await expect(boot).rejects.toThrow(/the widget is not built .*never-built\.html.*pnpm build/);
    expect(existsSync(config.databaseFile)).toBe(false);
    removeDataDir(dataDir);
  });
});
