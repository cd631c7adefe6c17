import { randomBytes } from 'node:crypto';

// 128 random bits, base64url: unguessable and not sequential, so ids reveal nothing
// about other users' data. The prefix tells a person (and a model) what an id names.
export const ID_PREFIXES = { board: 'brd', column: 'col', card: 'crd', account: 'acc' } as const;
export type IdKind = keyof typeof ID_PREFIXES;

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${randomBytes(16).toString('base64url')}`;
}

/** The exact shape newId produces, for input validation. */
export function idPattern(kind: IdKind): RegExp {
  return new RegExp(`^${ID_PREFIXES[kind]}_[A-Za-z0-9_-]{22}$`);
}
