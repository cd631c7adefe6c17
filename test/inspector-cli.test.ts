import { describe, expect, it } from 'vitest';
import { inspectorCli } from './support/inspector.ts';
import { useKanban } from './support/kanban-server.ts';

// MCP Inspector, the MCP project's own debugging client, in its CLI mode (`mcp-inspector --cli`),
// against the real server over Streamable HTTP: what README: Connect from Claude and MCP Inspector promises.

const shared = useKanban({ env: { LOG_LEVEL: 'silent' } });

function inspector(args: string[]) {
  return inspectorCli(shared.kanban.mcpUrl, args);
}

describe('MCP Inspector --cli', () => {
  it('lists our tools, with their securitySchemes and the widget link', async () => {
    const { code, json, stderr } = await inspector(['--method', 'tools/list']);
    expect(code, stderr).toBe(0);
    const names = (json.tools as { name: string }[]).map((tool) => tool.name);
    expect(names).toEqual(['list_boards', 'get_board', 'search_cards', 'create_card', 'update_card', 'move_card', 'delete_card', 'create_board', 'update_board', 'delete_board', 'whoami']);
    const listBoards = json.tools[0];
    expect(listBoards._meta.securitySchemes).toEqual([{ type: 'noauth' }, { type: 'oauth2', scopes: ['kanban.read'] }]);
    expect(listBoards._meta.ui.resourceUri).toMatch(/^ui:\/\/widget\/kanban-[0-9a-f]{16}\.html$/);
  });

  it('calls list_boards without signing in and gets the public demo boards', async () => {
    const { code, json, stderr } = await inspector(['--method', 'tools/call', '--tool-name', 'list_boards', '--tool-arg', 'limit=2']);
    expect(code, stderr).toBe(0);
    expect(json.isError).toBeFalsy();
    expect(json.structuredContent.view).toBe('boards');
    expect(json.structuredContent.viewer).toEqual({ signedIn: false });
    expect(json.structuredContent.boards).toHaveLength(2);
    expect(json.structuredContent.nextCursor).toEqual(expect.any(String));
    // The demo boards are not the viewer's: their titles come marked as data (RV-08).
    expect(json.content[0].text).toMatch(/^2 boards\.\nFeatured boards \(read-only for you\):\n.*\n<untrusted-data>\n\[\{"id":"brd_/);
  });

  it('a write tool without signing in starts its OAuth (our 401 challenge), which a non-interactive run declines', async () => {
    const { code, stderr } = await inspector(['--method', 'tools/call', '--tool-name', 'create_card', '--tool-arg', 'title=Hello']);
    expect(code).toBe(3);
    expect(JSON.parse(stderr).error.code).toBe('auth_required');
  });
});
