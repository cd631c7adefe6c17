import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { isUniqueViolation, type AccountRow, type KanbanDatabase } from '../../../db/database.ts';
import { newId } from '../../../db/ids.ts';
import { usernameKey } from '../../../db/usernames.ts';
import { hashIsOutdated, hashPassword, passwordMatches, PasswordHashingBusy } from './passwords.ts';

// Accounts of the embedded issuer: username + password (hashed in passwords.ts). A username is
// kept as typed and found by its key (db/usernames.ts): "Émile" and "émile" are one account.

export const usernameSchema = z
  .string()
  .trim()
  .min(3, 'Usernames have at least 3 characters.')
  .max(64, 'Usernames have at most 64 characters.')
  .regex(/^[\p{L}\p{N}._@+-]+$/u, 'Usernames may use letters, digits and . _ @ + - only.');

export const passwordSchema = z
  .string()
  .min(10, 'Passwords have at least 10 characters.')
  .max(200, 'Passwords have at most 200 characters.');

// No NUL: PostgreSQL's text cannot hold it.
export const displayNameSchema = z.string().trim().min(1).max(100).refine((value) => !value.includes('\0'), 'Names may not contain NUL characters.');

export class AccountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountError';
  }
}

export async function findAccountById(database: KanbanDatabase, id: string): Promise<AccountRow | undefined> {
  const { accounts } = database.tables;
  const [account] = await database.read((db) => db.select().from(accounts).where(eq(accounts.id, id)).limit(1));
  return account;
}

export async function findAccountByUsername(database: KanbanDatabase, username: string): Promise<AccountRow | undefined> {
  const { accounts } = database.tables;
  const [account] = await database.read((db) => db.select().from(accounts).where(eq(accounts.usernameKey, usernameKey(username))).limit(1));
  return account;
}

/** How many accounts there are (the banner warns when sign-up is closed and there are none). */
export async function countAccounts(database: KanbanDatabase): Promise<number> {
  return database.read((db) => db.$count(database.tables.accounts));
}

export async function createAccount(database: KanbanDatabase, input: { username: string; password: string; displayName?: string }): Promise<AccountRow> {
  const username = usernameSchema.parse(input.username);
  const password = passwordSchema.parse(input.password);
  const displayName = displayNameSchema.parse(input.displayName?.trim() || username);
  const passwordHash = await hashPassword(password);
  const row = { id: newId('account'), username, usernameKey: usernameKey(username), passwordHash, displayName, createdAt: new Date() };
  try {
    await database.write((db) => db.insert(database.tables.accounts).values(row));
  } catch (error) {
    if (isUniqueViolation(error)) throw new AccountError('That username is taken. Pick another, or sign in.');
    throw error;
  }
  return row;
}

/** Sets a new password (and keeps everything else); the account's id, and so its data, stay. */
export async function resetPassword(database: KanbanDatabase, username: string, password: string): Promise<AccountRow> {
  const { accounts } = database.tables;
  const account = await findAccountByUsername(database, username);
  if (!account) throw new AccountError(`No account is named ${username}.`);
  const passwordHash = await hashPassword(passwordSchema.parse(password));
  await database.write((db) => db.update(accounts).set({ passwordHash }).where(eq(accounts.id, account.id)));
  return { ...account, passwordHash };
}

/** The account, or undefined for a wrong username or password (indistinguishable by design). */
export async function authenticate(database: KanbanDatabase, username: string, password: string): Promise<AccountRow | undefined> {
  // A name no account can have (NUL, which PostgreSQL refuses to compare, or any other) is a
  // wrong username, at the same cost as any other.
  const wellFormed = usernameSchema.safeParse(username);
  const account = wellFormed.success ? await findAccountByUsername(database, wellFormed.data) : undefined;
  const matches = await passwordMatches(password, account?.passwordHash);
  if (!account || !matches) return undefined;
  await upgradeHash(database, account, password);
  return account;
}

/** OWASP's upgrade on sign-in: an old, cheaper hash is made again at today's cost while the password is at hand. */
async function upgradeHash(database: KanbanDatabase, account: AccountRow, password: string): Promise<void> {
  if (!hashIsOutdated(account.passwordHash)) return;
  const { accounts } = database.tables;
  try {
    const passwordHash = await hashPassword(password);
    // Only over the hash we checked: a password reset meanwhile wins.
    await database.write((db) => db.update(accounts).set({ passwordHash }).where(and(eq(accounts.id, account.id), eq(accounts.passwordHash, account.passwordHash))));
  } catch (error) {
    if (!(error instanceof PasswordHashingBusy)) throw error; // busy: the next sign-in upgrades it
  }
}
