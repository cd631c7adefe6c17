import { usernameKey } from '../../../db/usernames.ts';

// Failed sign-ins per account, whatever address they come from, so that many addresses cannot
// share out the guessing of one password. The policy:
// - an account takes `freeFailures` failures; after that each failure doubles the wait before
//   its password is checked again: 30 s, 1 min, 2 min … at most 15 min. Tries during a wait are
//   refused without a hash and do not count;
// - a success clears the count, and so does a day without failures;
// - the last few addresses the owner signed in from skip the wait (the per-address limit still
//   holds), so someone guessing at the account cannot keep its owner out.
// By hand: express-rate-limit counts hits in fixed windows against one fixed limit; a wait that
// grows with each failure, and exemptions per account, are outside what it can express.
// In memory and per process, like the per-address limits; unknown usernames are throttled alike,
// so the answer does not tell whether an account exists.

const FIRST_WAIT_MS = 30_000;
const LONGEST_WAIT_MS = 15 * 60_000;
const FORGET_FAILURES_AFTER_MS = 24 * 60 * 60_000;
const KNOWN_ADDRESSES = 5;
/** Most usernames remembered: past it the least recently seen is dropped (a bound on memory). */
const MAX_ENTRIES = 100_000;

interface Entry {
  failures: number;
  lastFailureAt: number;
  knownAddresses: string[];
}


export class AccountThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly freeFailures: number;
  constructor(freeFailures: number) {
    this.freeFailures = freeFailures;
  }

  /**
   * 0: check the password now; the try counts as a failure from here (so tries sent together see
   * each other) until `succeeded`. Otherwise the seconds to wait, and nothing is counted.
   */
  admit(username: string, address: string): number {
    const entry = this.touch(username);
    if (entry.failures >= this.freeFailures && !entry.knownAddresses.includes(address)) {
      const wait = Math.min(FIRST_WAIT_MS * 2 ** (entry.failures - this.freeFailures), LONGEST_WAIT_MS);
      const seconds = Math.ceil((entry.lastFailureAt + wait - Date.now()) / 1000);
      if (seconds > 0) return seconds;
    }
    entry.failures++;
    entry.lastFailureAt = Date.now();
    return 0;
  }

  succeeded(username: string, address: string): void {
    const entry = this.touch(username);
    entry.failures = 0;
    entry.knownAddresses = [address, ...entry.knownAddresses.filter((known) => known !== address)].slice(0, KNOWN_ADDRESSES);
  }

  /** The entry, moved to the most recently seen end, with failures older than a day forgotten. */
  private touch(username: string): Entry {
    // One entry for every spelling the account lookup treats as the same username.
    const k = usernameKey(username);
    const entry = this.entries.get(k) ?? { failures: 0, lastFailureAt: 0, knownAddresses: [] };
    if (Date.now() - entry.lastFailureAt > FORGET_FAILURES_AFTER_MS) entry.failures = 0;
    this.entries.delete(k);
    this.entries.set(k, entry);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }
}
