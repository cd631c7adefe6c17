import { idPattern } from '../../db/ids.ts';
import { loadConfig } from '../config.ts';
import { setFeatured } from '../kanban/featured-boards.ts';
import { CommandError, openServerDatabase, quoted, runCommand } from './command.ts';

// Which public boards everyone sees listed: `pnpm boards:feature ID`, `pnpm boards:unfeature ID`.

const HELP = `Usage:
  pnpm boards:feature <board_id>     list a public board to everyone (list_boards, search_cards),
                                     next to the demo boards
  pnpm boards:unfeature <board_id>   stop listing it (it stays readable by anyone who has its id)

A public board that is not featured is read only by its id (get_board). Featured boards' titles
reach every user's assistant: feature only boards whose owner you trust.
Works on the server's database (DATA_DIR, default ./data), also while the server runs.`;

await runCommand({
  help: HELP,
  async run({ positionals }) {
    const [command, boardId] = positionals;
    if ((command !== 'feature' && command !== 'unfeature') || boardId === undefined || positionals.length !== 2) throw new CommandError(`Unknown or incomplete command.\n\n${HELP}`, 2);
    if (!idPattern('board').test(boardId)) throw new CommandError(`${quoted(boardId)} is not a board id: they look like brd_ and 22 letters, digits, - or _.`, 2);
    const database = await openServerDatabase(loadConfig());
    try {
      const outcome = await setFeatured(database, boardId, command === 'feature');
      if (!outcome.done && outcome.why === 'not found') throw new CommandError(`No board ${boardId}.`);
      if (!outcome.done) throw new CommandError(`Board ${boardId} is private: only a public board can be featured (its owner makes it public with update_board).`);
      // Quoted with controls escaped (printable): the title is a user's text, and must not drive the terminal.
      process.stdout.write(command === 'feature' ? `Featured ${boardId} ${quoted(outcome.title)}: everyone sees it listed.\n` : `Stopped featuring ${boardId} ${quoted(outcome.title)}: it opens by its id only.\n`);
    } finally {
      await database.close();
    }
  },
});
