import { describe, expect, it } from 'vitest';
import { boardOf, cardsOf } from '../support/kanban-actors.ts';
import { A, actors, ACTORS, B, fixtures, KINDS, ownerOf, READ_TOOLS, TOOLS, useKanbanAccess } from './fixtures.ts';
import { expectedOutcome, readCell, writeCell } from './matrix-cells.ts';

// Who may do what to which board: every tool, by A, B and nobody, on A's and B's private and public
// boards and a demo board, each cell against the rules of matrix-cells.ts.

useKanbanAccess();

describe('the matrix: every tool × A, B, anonymous × A private, A public, B private, B public, demo', () => {
  for (const tool of TOOLS) {
    describe(tool, () => {
      for (const actorName of ACTORS) {
        for (const kind of KINDS) {
          const outcome = expectedOutcome(tool, actorName, kind);
          it(`${actorName} on ${kind} → ${outcome}`, async () => {
            const actor = actors()[actorName];
            const fixture = fixtures[kind];
            if (READ_TOOLS.includes(tool)) await readCell(tool, actor, actorName, fixture, outcome);
            else await writeCell(tool, actor, actorName, fixture, outcome);
          });
        }
      }
    });
  }

  it('left every fixture as it was made (every refusal above changed nothing)', async () => {
    for (const kind of KINDS) {
      const fixture = fixtures[kind];
      const board = boardOf(await (ownerOf(kind) === 'B' ? B : A).call('get_board', { boardId: fixture.id }));
      expect(board.title).toBe(fixture.title);
      expect(board.visibility).toBe(fixture.visibility);
      expect(board.columns.map((column) => column.id)).toEqual(fixture.columnIds);
      expect(cardsOf(board).find((card) => card.id === fixture.cardId)).toMatchObject({ title: fixture.cardTitle, columnId: fixture.cardColumnId });
    }
  });
});
