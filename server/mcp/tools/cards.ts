import { searchCardsInput, searchCardsOutput } from '../../kanban/schemas.ts';
import { defineTool, PUBLIC_READ, READS_OWN_DATA } from '../catalogue.ts';
import { viewerOutput } from './viewer-output.ts';

export const searchCards = defineTool({
  name: 'search_cards',
  title: 'Search cards',
  description:
    'Finds cards whose title or description contains every word of the query, across all boards the user can see ' +
    '(or one board, with boardId). Returns each card with its board and column, newest first.',
  input: searchCardsInput,
  output: searchCardsOutput,
  annotations: READS_OWN_DATA,
  securitySchemes: PUBLIC_READ,
  invocation: { invoking: 'Searching cards…', invoked: 'Search done' },
  handler({ query, boardId, limit }, { viewer, kanban }) {
    const results = kanban.searchCards(viewer, { query, boardId, limit });
    const found = results.map((hit) => `${hit.card.title} (${hit.board.title} › ${hit.column.title}, ${hit.card.id})`);
    const summary =
      results.length === 0
        ? `No card matches "${query}" on the boards you can see.`
        : `${results.length} card${results.length === 1 ? '' : 's'} match "${query}": ${found.join('; ')}.`;
    return { summary, structured: { view: 'search' as const, viewer: viewerOutput(viewer), query, results } };
  },
});
