import type { KanbanDatabase } from '../../db/database.ts';
import { preparedBoardAccess } from './access.ts';
import { boardContents } from './board-contents.ts';
import { boardReads } from './board-reads.ts';
import { boardWrites } from './board-writes.ts';
import { writeKit } from './write-kit.ts';
import { cardWrites } from './card-writes.ts';
import { busyAsRefusal } from './errors.ts';
import type { KanbanQuotas } from './quotas.ts';

// The kanban domain, one module per job: the reads (board-reads.ts: listing, a board, search),
// the writes of boards and of cards (board-writes.ts, card-writes.ts, on what every write shares:
// write-kit.ts), where a card goes (card-placement.ts), request ids (request-replay.ts),
// who may do what (access.ts). It knows nothing of HTTP or MCP: it takes a Viewer and the tools'
// arguments as their schemas give them (types only), returns plain data, or throws a KanbanError
// naming the rule it keeps. Every write is one transaction (database.write): all of it happens,
// or none of it; a person's writes queue behind each other, across replicas on PostgreSQL.

export type { BoardWithDetails } from './board-contents.ts';
export type { BoardChange } from './write-kit.ts';

export function createKanbanService(engine: KanbanDatabase, quotas: KanbanQuotas) {
  const database = busyAsRefusal(engine);
  // The board row every tool that names a board checks access on, and a whole board in one
  // statement: prepared once, for the reads and the writes alike.
  const access = preparedBoardAccess(database);
  const contents = boardContents(database);
  const kit = writeKit(database, quotas, access, contents);
  return {
    ...boardReads(database, access, contents),
    ...boardWrites(database, kit),
    ...cardWrites(database, kit),
  };
}

export type KanbanService = ReturnType<typeof createKanbanService>;
