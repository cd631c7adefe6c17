// Text compared the same way on SQLite and PostgreSQL: usernames ("Émile", "émile" and "ÉMILE" are
// one account) and search words. Folded here, in JavaScript, because SQLite can neither normalise
// Unicode nor change the case of anything but ASCII. No PRECIS library is among our dependencies:
// RFC 8265's case-mapped username profile comes down to these built-ins (NFKC, toLowerCase).

/** Compatibility forms ("ﬁ", fullwidth letters) and case made alike. */
export function foldText(text: string): string {
  return text.normalize('NFKC').toLowerCase().normalize('NFKC');
}

/** What search_cards looks a card's words up in (cards.search_text): its title and description, folded. */
export function cardSearchText(card: { title: string; description: string }): string {
  return `${foldText(card.title)}\n${foldText(card.description)}`;
}

/** One key for every spelling of a username that names the same account (accounts.username_key). */
export function usernameKey(username: string): string {
  return foldText(username.trim());
}

export interface KeyedAccount {
  id: string;
  username: string;
  usernameKey: string;
  /** Its name folded like an older account's: renamed to its id. */
  renamedFrom?: string;
}

/**
 * Keys for accounts made before username keys existed (the migration leaves them NULL), given
 * oldest first. Two of them may fold alike ("Émile" and "émile" were two accounts while only
 * ASCII case was folded): the older keeps its name, the newer is renamed to its account id, which
 * it signs in with from then on (its password, boards and grants stay). The operator is warned.
 */
export function keyAccounts(unkeyed: readonly { id: string; username: string }[], takenKeys: Iterable<string>): KeyedAccount[] {
  const taken = new Set(takenKeys);
  return unkeyed.map(({ id, username }) => {
    const key = usernameKey(username);
    if (!taken.has(key)) {
      taken.add(key);
      return { id, username, usernameKey: key };
    }
    taken.add(usernameKey(id));
    return { id, username: id, usernameKey: usernameKey(id), renamedFrom: username };
  });
}

/** One line on stderr per renamed account, for whoever started the server or the command. */
export function warnAboutRenamed(keyed: readonly KeyedAccount[]): void {
  for (const account of keyed) {
    if (account.renamedFrom === undefined) continue;
    process.emitWarning(`the username ${JSON.stringify(account.renamedFrom)} is now the same as an older account's (usernames are compared folded: NFKC, lower case), so this account is renamed ${account.id}: it signs in with that name.`, { code: 'KANBAN_USERNAME_RENAMED' });
  }
}
