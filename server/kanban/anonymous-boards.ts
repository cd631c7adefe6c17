import type { BoardWithDetails } from './service.ts';

// Everyone who is not signed in gets the same answer for a public board, so it is kept, with the
// updatedAt it was read at. Every change moves a board's updatedAt strictly forward (service.ts,
// afterChange), and every read checks it against the board's row first, so a change made through
// any replica is seen by the next read here. Bounded by the size of what is kept, least recently
// used out first; a board bigger than a quarter of it is not kept at all.

/** Characters of JSON kept at most (about as many bytes, for mostly ASCII boards). */
const KEPT_CHARACTERS = 16_000_000;

interface Kept {
  updatedAt: number;
  details: BoardWithDetails;
  size: number;
}

/** Frozen all the way down: one answer is handed to many requests, and none may change it. */
function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) frozen(child);
    Object.freeze(value);
  }
  return value;
}

export function anonymousBoardAnswers() {
  const kept = new Map<string, Kept>();
  let total = 0;
  const drop = (boardId: string) => {
    total -= kept.get(boardId)?.size ?? 0;
    kept.delete(boardId);
  };

  return {
    /** The kept answer for this board as of `updatedAt`, if there is one. */
    find(boardId: string, updatedAt: Date): BoardWithDetails | undefined {
      const entry = kept.get(boardId);
      if (!entry) return undefined;
      kept.delete(boardId);
      if (entry.updatedAt !== updatedAt.getTime()) {
        total -= entry.size;
        return undefined;
      }
      kept.set(boardId, entry); // most recently used: last in the Map's order
      return entry.details;
    },

    keep(boardId: string, updatedAt: Date, details: BoardWithDetails): BoardWithDetails {
      const size = JSON.stringify(details).length;
      if (size > KEPT_CHARACTERS / 4) return details;
      drop(boardId);
      while (total + size > KEPT_CHARACTERS && kept.size > 0) drop(kept.keys().next().value!);
      kept.set(boardId, { updatedAt: updatedAt.getTime(), details: frozen(details), size });
      total += size;
      return details;
    },
  };
}
