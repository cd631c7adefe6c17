// How much a board, a card and a request may hold: the domain's rules, which the tools' input
// schemas (mcp/tools/schemas.ts) check before a call reaches the domain, and the domain again
// where only the database knows (a board's card count).
export const LIMITS = {
  titleLength: 200,
  descriptionLength: 10_000,
  labels: 20,
  labelLength: 40,
  columnsPerBoard: 50,
  cardsPerBoard: 5_000,
  wipLimit: 1_000,
  queryLength: 200,
  cursorLength: 200,
  listPageSize: 100,
  searchResults: 50,
} as const;
