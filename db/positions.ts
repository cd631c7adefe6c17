// Columns and cards are ordered by integer positions with wide gaps between neighbours,
// so a move or an insert between two items rewrites only the moved row.
export const POSITION_GAP = 1024;

/** Positions for n items laid out in order with even gaps. */
export function spacedPositions(count: number): number[] {
  return Array.from({ length: count }, (_, i) => (i + 1) * POSITION_GAP);
}

/**
 * A position strictly between two neighbours (either may be missing: top or bottom), or
 * undefined when they leave no room, in which case the caller rebalances the column first.
 */
export function positionBetween(before: number | undefined, after: number | undefined): number | undefined {
  if (before === undefined && after === undefined) return POSITION_GAP;
  if (before === undefined) return after! - POSITION_GAP;
  if (after === undefined) return before + POSITION_GAP;
  return after - before > 1 ? Math.floor((before + after) / 2) : undefined;
}
