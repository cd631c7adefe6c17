import { eq } from 'drizzle-orm';
import type { KanbanDatabase } from '../../../db/database.ts';
import { deleteOwnedDataIn, type OwnedDataDeleted } from '../../kanban/owner-data.ts';
import { endAccountAccessIn, type AccessEnded } from './account-access.ts';

// Deleting an account (user:delete): people expect to be able to leave. The account, its boards
// and cards, and everything it was granted go in one transaction, queued with the person's own
// writes so that none of them lands between the delete of their boards and that of the account.

export type AccountDeleted = AccessEnded & OwnedDataDeleted;

export function deleteAccount(database: KanbanDatabase, accountId: string): Promise<AccountDeleted> {
  const { accounts } = database.tables;
  return database.write(
    async (db) => {
      const ended = await endAccountAccessIn(database, db, accountId);
      const removed = await deleteOwnedDataIn(database, db, accountId);
      await db.delete(accounts).where(eq(accounts.id, accountId));
      return { ...ended, ...removed };
    },
    { queueBy: accountId },
  );
}
