import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { boardOf, cardByTitle, rawToolCall, textOf, type BoardView } from './kanban-actors.ts';
import { replicas, type Replica } from './replicas.ts';

// The write burst of test/replicas.test.ts: each user's loops create cards (retrying a lost or busy
// call on the next replica with the same requestId, as a client would) and move them, round-robin
// over the replicas that are up, until stopped. Every call is classified and counted, by the
// replica it went to and the phase it was sent in, for the test to check afterwards.

const BUSY_TEXT = 'Kanban is busy saving another change';

export type Phase = 'all up' | 'one down' | 'restarted';

/** A user writing on a board of their own: the cards acknowledged so far, and the replica to try next. */
export interface Writer {
  label: string;
  accessToken: string;
  subject: string;
  board: BoardView;
  cards: string[];
  turn: number;
}

export interface Burst<W extends Writer> {
  /** The phase the next calls are sent in. */
  phase: Phase;
  /** `${replica} / ${phase sent in}` → acknowledged calls. */
  acks: Map<string, number>;
  /** Titles of every card a create_card was sent for. */
  sent: Set<string>;
  /** Acknowledged cards by title. */
  acknowledged: Map<string, { cardId: string; writer: W }>;
  /** What neither succeeded, nor was busy, nor died with a killed process. */
  unexpected: string[];
  tally: { lost: number; busyCreates: number; busyMoves: number; retriedCreates: number; unacknowledgedCreates: number; top: number; bottom: number; before: number; after: number };
  ackedOn(replica: Replica, during: Phase): number;
  /** Tells the loops to end, and waits for them. */
  stop(): Promise<void>;
}

export function startBurst<W extends Writer>(writers: W[], { columns, loopsPerUser, maxAttempts }: { columns: readonly string[]; loopsPerUser: number; maxAttempts: number }): Burst<W> {
  let phase: Phase = 'all up';
  const acks = new Map<string, number>();
  const sent = new Set<string>();
  const acknowledged = new Map<string, { cardId: string; writer: W }>();
  const unexpected: string[] = [];
  const tally = { lost: 0, busyCreates: 0, busyMoves: 0, retriedCreates: 0, unacknowledgedCreates: 0, top: 0, bottom: 0, before: 0, after: 0 };
  let stop = false;

  /** The writer's next live replica, round-robin. */
  function nextReplica(writer: W): Replica {
    for (;;) {
      const replica = replicas[writer.turn++ % replicas.length]!;
      if (replica.up) return replica;
    }
  }

  type Outcome = { kind: 'ack'; result: CallToolResult } | { kind: 'lost' | 'busy' | 'unexpected' };

  /** One call, classified: acknowledged, lost with a killed process, busy (the documented retry-later answer), or unexpected. */
  async function send(writer: W, name: string, args: Record<string, unknown>): Promise<Outcome> {
    const replica = nextReplica(writer);
    const generation = replica.generation;
    const key = `${replica.name} / ${phase}`; // the phase the call was sent in
    const what = `${name} ${JSON.stringify(args)} on ${key}`;
    replica.inFlight++;
    try {
      const call = await rawToolCall(replica.mcpUrl, writer.accessToken, name, args);
      const result = call.body?.result as CallToolResult | undefined;
      if (call.status !== 200 || !result) {
        unexpected.push(`${what}: HTTP ${call.status} ${JSON.stringify(call.body).slice(0, 300)}`);
        return { kind: 'unexpected' };
      }
      if (!result.isError) {
        acks.set(key, (acks.get(key) ?? 0) + 1);
        return { kind: 'ack', result };
      }
      if (textOf(result).startsWith(BUSY_TEXT)) {
        tally[name === 'create_card' ? 'busyCreates' : 'busyMoves']++;
        return { kind: 'busy' };
      }
      unexpected.push(`${what}: ${textOf(result)}`);
      return { kind: 'unexpected' };
    } catch (error) {
      // Only a process killed under the call may drop it.
      if (replica.generation !== generation) {
        tally.lost++;
        return { kind: 'lost' };
      }
      unexpected.push(`${what}: ${String((error as Error).cause ?? error)}`);
      return { kind: 'unexpected' };
    } finally {
      replica.inFlight--;
    }
  }

  /** A new card; lost or busy attempts are retried on the next replica with the same requestId, as a client would. */
  async function createOne(writer: W, title: string): Promise<void> {
    const args = { boardId: writer.board.id, title, column: columns[Math.floor(Math.random() * columns.length)], position: Math.random() < 0.5 ? 'top' : 'bottom', requestId: `rq-${title}` };
    sent.add(title);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) tally.retriedCreates++;
      const outcome = await send(writer, 'create_card', args);
      if (outcome.kind === 'ack') {
        // The answer is the board after the write, read in its transaction: the card is on it once.
        const card = cardByTitle(boardOf(outcome.result), title);
        acknowledged.set(title, { cardId: card.id, writer });
        writer.cards.push(card.id);
        return;
      }
      if (outcome.kind === 'unexpected') break;
    }
    tally.unacknowledgedCreates++;
  }

  async function moveOne(writer: W): Promise<void> {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
    const cardId = pick(writer.cards);
    const position = pick(['top', 'bottom', 'before', 'after'] as const);
    const others = writer.cards.filter((id) => id !== cardId);
    // before/after without a column: the card joins relativeTo's column, wherever that is now.
    const args = position === 'before' || position === 'after' ? { cardId, position, relativeTo: pick(others) } : { cardId, position, column: pick(columns) };
    const outcome = await send(writer, 'move_card', args);
    if (outcome.kind === 'ack') tally[position]++;
  }

  async function writerLoop(writer: W, loop: number): Promise<void> {
    for (let n = 1; !stop; n++) {
      if (writer.cards.length >= 2 && Math.random() < 0.3) await moveOne(writer);
      else await createOne(writer, `${writer.label}-${loop}-${n}`);
    }
  }

  // Loops end only when told to: the caller must stop them before a failure propagates.
  const loops = Promise.all(writers.flatMap((writer) => Array.from({ length: loopsPerUser }, (_, loop) => writerLoop(writer, loop))));
  return {
    get phase() {
      return phase;
    },
    set phase(next: Phase) {
      phase = next;
    },
    acks,
    sent,
    acknowledged,
    unexpected,
    tally,
    ackedOn: (replica, during) => acks.get(`${replica.name} / ${during}`) ?? 0,
    async stop() {
      stop = true;
      await loops;
    },
  };
}
