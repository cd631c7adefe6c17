// The rows the app reads, as plain types that belong to neither engine. Each engine's schema.ts
// must give exactly these (test/schema-drift.test.ts checks it at type-check time, for both).

export interface BoardRow {
  id: string;
  /** The OAuth subject of the owner; null for the demo boards. */
  ownerSub: string | null;
  title: string;
  visibility: 'public' | 'private';
  personal: boolean;
  featured: boolean;
  createdAt: Date;
  /** Moves forward on every change: the board's version. */
  updatedAt: Date;
}

export interface ColumnRow {
  id: string;
  boardId: string;
  title: string;
  position: number;
  wipLimit: number | null;
}

export interface CardRow {
  id: string;
  boardId: string;
  columnId: string;
  title: string;
  description: string;
  /** The folded title and description that search_cards looks in; null until folded. */
  searchText: string | null;
  labels: string[];
  /** A calendar date, YYYY-MM-DD. */
  dueDate: string | null;
  position: number;
  createdBySub: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AccountRow {
  id: string;
  username: string;
  /** The username folded (usernames.ts); null only until the start that fills it. */
  usernameKey: string | null;
  passwordHash: string;
  displayName: string;
  createdAt: Date;
}

export interface OAuthRow {
  model: string;
  id: string;
  payload: Record<string, unknown>;
  grantId: string | null;
  uid: string | null;
  userCode: string | null;
  expiresAt: Date | null;
  consumedAt: Date | null;
}
