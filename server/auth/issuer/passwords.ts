import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { Semaphore } from 'async-mutex';
import { loadConfig, type SignInSettings } from '../../config.ts';

// Password hashes: scrypt (node:crypto, the well-kept primitive) with a per-user salt, stored as
// `scrypt$N$r$p$salt$hash`, so the cost can rise without breaking old hashes. One hash holds
// 128·N·r bytes (128 MiB at N = 2^17) and a CPU for a while: this process computes a few at once,
// lets a bounded number wait for a turn, and refuses the rest at once (PasswordHashingBusy).

const R = 8;
const P = 1;
const KEY_LENGTH = 32;

interface Parsed {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

export class PasswordHashingBusy extends Error {
  /** A few hashes' time. */
  readonly retryAfterSeconds = 5;
  constructor() {
    super('too many password hashes at once');
    this.name = 'PasswordHashingBusy';
  }
}

// One set of settings per process, like the memory the cap protects: the server sets its own at
// start (configurePasswordHashing); until then (commands such as user:add) the process's
// configuration applies, read at the first hash.
let state: { settings: SignInSettings; slots: Semaphore } | undefined;
const withSlots = (settings: SignInSettings) => ({ settings, slots: new Semaphore(settings.hashConcurrency) });
const current = () => (state ??= withSlots(loadConfig().signIn));
const todaysN = () => 2 ** current().settings.hashCost;
/** Hashes waiting for a slot (async-mutex keeps its queue to itself), and scrypt calls in flight. */
let waiting = 0;
let running = 0;
let peak = 0;

export function configurePasswordHashing(settings: SignInSettings): void {
  state = withSlots(settings);
  peak = running;
}

/**
 * scrypt calls in flight (counted where they are made), the most at once since the last
 * configurePasswordHashing, and the hashes waiting for a slot. For tests: the server they start
 * runs in their process.
 */
export function passwordHashingLoad(): { running: number; peak: number; waiting: number } {
  return { running, peak, waiting };
}

/** Runs `work` in a hashing slot: now, after a wait in the bounded queue, or not at all (busy). */
export async function inHashingSlot<T>(work: () => Promise<T>): Promise<T> {
  const { settings, slots } = current();
  const queued = slots.isLocked();
  if (queued && waiting >= settings.hashQueue) throw new PasswordHashingBusy();
  if (queued) waiting++;
  return slots.runExclusive(() => {
    if (queued) waiting--;
    return work();
  });
}

function derive(password: string, { N, r, p, salt }: Omit<Parsed, 'hash'>, keyLength: number): Promise<Buffer> {
  return inHashingSlot(async () => {
    running++;
    peak = Math.max(peak, running);
    try {
      // scrypt needs 128·N·r bytes and a little more; node's default maxmem (32 MiB) is too small.
      const options = { N, r, p, maxmem: 2 * 128 * N * r };
      return await new Promise<Buffer>((resolve, reject) => scrypt(password.normalize('NFKC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))));
    } finally {
      running--;
    }
  });
}

function parse(stored: string): Parsed | undefined {
  const [scheme, N, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return undefined;
  return { N: Number(N), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}

export async function hashPassword(password: string): Promise<string> {
  const params = { N: todaysN(), r: R, p: P, salt: randomBytes(16) };
  const key = await derive(password, params, KEY_LENGTH);
  return ['scrypt', params.N, R, P, params.salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * Whether `password` is the one `stored` was made from, compared in constant time. With nothing
 * stored (an unknown username) it costs what a real check at today's cost does, and is false.
 */
export async function passwordMatches(password: string, stored: string | undefined): Promise<boolean> {
  const parsed = stored === undefined ? { N: todaysN(), r: R, p: P, salt: Buffer.alloc(16), hash: Buffer.alloc(KEY_LENGTH) } : parse(stored);
  if (!parsed) return false;
  const actual = await derive(password, parsed, parsed.hash.length);
  return stored !== undefined && timingSafeEqual(actual, parsed.hash);
}

/** Made at a lower cost than today's: to be made again while the person's password is at hand. */
export function hashIsOutdated(stored: string): boolean {
  const parsed = parse(stored);
  return parsed !== undefined && parsed.N < todaysN();
}
