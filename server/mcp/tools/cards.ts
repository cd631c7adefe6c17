import { createCardInput, deleteCardInput, moveCardInput, searchCardsInput, searchCardsOutput, updateCardInput } from './schemas.ts';
import { defineTool, PUBLIC_READ, READS_OWN_DATA } from '../catalogue.ts';
import { defineBoardWrite } from './board-outcome.ts';
import { othersContent, OTHERS_TEXT_IS_DATA } from './others-text.ts';
import { viewerOutput } from './viewer-output.ts';

export const searchCards = defineTool({
  name: 'search_cards',
  title: 'Search cards',
  description:
    'Finds cards whose title or description contains every word of the query, ignoring case, ' +
    "across the user's own boards and the featured boards (or one board the user can open, with boardId). " +
    'Returns each card with its board and column, newest first. ' +
    OTHERS_TEXT_IS_DATA,
  input: searchCardsInput,
  output: searchCardsOutput,
  annotations: READS_OWN_DATA,
  securitySchemes: PUBLIC_READ,
  invocation: { invoking: 'Searching cards…', invoked: 'Search done' },
  async handler({ query, boardId, limit }, { viewer, kanban }) {
    const found = await kanban.searchCards(viewer, { query, boardId, limit });
    const results = found.map(({ ownBoard, ...hit }) => hit);
    const own = found.filter((hit) => hit.ownBoard).map((hit) => `${hit.card.title} (${hit.board.title} › ${hit.column.title}, ${hit.card.id})`);
    const others = found.filter((hit) => !hit.ownBoard).map((hit) => ({ card: hit.card.id, title: hit.card.title, board: hit.board.title, column: hit.column.title }));
    const summary =
      found.length === 0
        ? `No card matches "${query}" on the boards you can see.`
        : [
            `${found.length} card${found.length === 1 ? '' : 's'} match "${query}".`,
            ...(own.length > 0 ? [`On your boards: ${own.join('; ')}.`] : []),
            ...(others.length > 0 ? [othersContent("On boards that are not yours:", others)] : []),
          ].join('\n');
    return { summary, structured: { view: 'search' as const, viewer: viewerOutput(viewer), query, results } };
  },
});

export const createCard = defineBoardWrite({
  name: 'create_card',
  title: 'Add a card',
  description:
    "Adds a card to one of the user's boards. Without boardId it goes to the user's personal board (made on first use, " +
    'with To do / Doing / Done). The column is named by id or by name (default: the first column); the card goes to the ' +
    'bottom unless position is "top". Pass a requestId to make a retry safe. Returns the board with the new card.',
  input: createCardInput,
  destructive: false,
  repeatable: false,
  signInPrompt: 'Sign in to add cards',
  invocation: { invoking: 'Adding the card…', invoked: 'Card added' },
  change: (kanban, viewer, args) => kanban.createCard(viewer, args),
});

export const updateCard = defineBoardWrite({
  name: 'update_card',
  title: 'Edit a card',
  description: "Changes a card's title, description, labels (the full new list) or due date (null clears it). Returns the board after the change.",
  input: updateCardInput,
  destructive: false,
  repeatable: true,
  signInPrompt: 'Sign in to edit cards',
  invocation: { invoking: 'Saving the card…', invoked: 'Card saved' },
  change: (kanban, viewer, args) => kanban.updateCard(viewer, args),
});

export const moveCard = defineBoardWrite({
  name: 'move_card',
  title: 'Move a card',
  description:
    'Moves a card to another column (by id or name) and/or within its column: to the top, the bottom, or before or after ' +
    'another card (relativeTo). A column at its WIP limit refuses the card unless force is true. Returns the board.',
  input: moveCardInput,
  destructive: false,
  repeatable: true,
  signInPrompt: 'Sign in to move cards',
  invocation: { invoking: 'Moving the card…', invoked: 'Card moved' },
  change: (kanban, viewer, args) => kanban.moveCard(viewer, args),
});

export const deleteCard = defineBoardWrite({
  name: 'delete_card',
  title: 'Delete a card',
  description: 'Deletes a card from one of the user\'s boards. This cannot be undone. Returns the board without it.',
  input: deleteCardInput,
  destructive: true,
  repeatable: true,
  signInPrompt: 'Sign in to delete cards',
  invocation: { invoking: 'Deleting the card…', invoked: 'Card deleted' },
  change: (kanban, viewer, { cardId }) => kanban.deleteCard(viewer, cardId),
});
