import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { launchChromium } from './chromium.ts';
import { boardOf, signInActor, type Actor, type BoardView } from './kanban-actors.ts';
import { useKanban, type RunningKanban } from './kanban-server.ts';
import { hostWidget, type HostedWidget, type HostOptions } from './widget-host.ts';

// The widget in real Chromium, hosted the way MCP Apps hosts do it (test/browser/widget-host/):
// HTML from resources/read in a sandboxed srcdoc iframe under the default MCP Apps CSP, ext-apps'
// AppBridge, a real tool result, and the widget's own tool calls sent to the real server with a
// real token. What the widget changes is checked in the database itself.
// What every widget test file (test/browser/widget-*.test.ts) shares: one server, one Chromium, one
// signed-in owner, fresh boards to open, and the hosted widget closed (and checked clean) after each
// test. Call it inside the file's describe.skipIf(!chromiumAvailable), so nothing starts without Chromium.

export interface CardRow {
  id: string;
  title: string;
  column_id: string;
  position: number;
  description: string;
  labels: string;
  due_date: string | null;
}

export interface WidgetTestbed {
  readonly kanban: RunningKanban;
  readonly browser: Browser;
  readonly owner: Actor;
  /** The widget hosted by the running test, if any: closed after it. */
  hosted: HostedWidget | undefined;
  /** Numbers the boards freshBoard makes, and so their cards' titles. */
  readonly boardCounter: number;
  /** A fresh public board of the owner's: To do (3 cards), Doing (WIP 2, 1 card), Done. */
  freshBoard(): Promise<BoardView>;
  /** Hosts get_board of `board` (or whatever the options say) and waits for the board's heading. */
  open(options: Partial<HostOptions> & { board: BoardView }): Promise<HostedWidget>;
  /** Closes the hosted widget, which must have stayed clean: no console error, no CSP violation. */
  closeHosted(): Promise<void>;
  until(check: () => boolean | undefined | Promise<boolean | undefined>, what: string): Promise<void>;
  cardRow(title: string): Promise<CardRow | undefined>;
}

export function columnTitles(board: BoardView): Record<string, string> {
  return Object.fromEntries(board.columns.map((column) => [column.id, column.title]));
}

export function useWidgetTestbed(): WidgetTestbed {
  const shared = useKanban();
  let browser: Browser;
  let owner: Actor;
  let boardCounter = 0;

  beforeAll(async () => {
    browser = await launchChromium();
    owner = await signInActor(shared.kanban, 'widget-owner');
  });
  afterAll(async () => {
    await owner?.client.close();
    await browser?.close();
  });

  const bed: WidgetTestbed = {
    get kanban() {
      return shared.kanban;
    },
    get browser() {
      return browser;
    },
    get owner() {
      return owner;
    },
    hosted: undefined,
    get boardCounter() {
      return boardCounter;
    },

    async freshBoard() {
      const created = boardOf(await owner.call('create_board', { title: `Launch plan ${++boardCounter}`, columns: ['To do', 'Doing', 'Done'], visibility: 'public' }));
      const [todo, doing] = created.columns;
      await owner.call('create_card', { boardId: created.id, column: todo!.id, title: `Write the announcement ${boardCounter}`, labels: ['marketing', 'copy'], dueDate: '2020-01-15' });
      await owner.call('create_card', { boardId: created.id, column: todo!.id, title: `Book the venue ${boardCounter}`, dueDate: '2099-06-01' });
      await owner.call('create_card', { boardId: created.id, column: todo!.id, title: `Order the cake ${boardCounter}` });
      await owner.call('create_card', { boardId: created.id, column: doing!.id, title: `Fix the login bug ${boardCounter}`, labels: ['bug'] });
      return boardOf(await owner.call('update_board', { boardId: created.id, wipLimits: [{ columnId: doing!.id, wipLimit: 2 }] }));
    },

    async open(options) {
      const hosted = await hostWidget(browser, shared.kanban, { token: owner.token, tool: 'get_board', args: { boardId: options.board.id }, ...options });
      bed.hosted = hosted;
      await hosted.widget.getByRole('heading', { name: options.board.title, level: 1 }).waitFor();
      return hosted;
    },

    async closeHosted() {
      const hosted = bed.hosted;
      if (!hosted) return;
      const violations = await hosted.cspViolations();
      const errors = [...hosted.consoleErrors];
      await hosted.close();
      bed.hosted = undefined;
      expect(violations).toEqual([]);
      expect(errors).toEqual([]);
    },

    async until(check, what) {
      for (let tries = 0; tries < 300; tries++) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`timed out waiting until ${what}`);
    },

    async cardRow(title) {
      const [row] = await shared.kanban.runtime.database.query<CardRow>('select id, title, column_id, position, description, labels, due_date from cards where title = ?', [title]);
      return row;
    },
  };
  afterEach(() => bed.closeHosted());
  return bed;
}
