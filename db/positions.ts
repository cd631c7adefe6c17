// Columns and cards are ordered by integer positions with wide gaps between neighbours,
// so a move or an insert between two items rewrites only the moved row.
export const POSITION_GAP = 1024;

/** Positions for n items laid out in order with even gaps. */
export function spacedPositions(count: number): number[] {
  return Array.from({ length: count }, (_, i) => (i + 1) * POSITION_GAP);
}
