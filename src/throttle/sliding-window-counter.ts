/**
 * Sliding-window rate counting (the "sliding window counter" of Cloudflare's and others' rate
 * limiters): time is cut into fixed windows of windowMs, each counting its hits; a request at
 * `elapsed` ms into the current window sees
 *
 *   previous window's hits x (windowMs - elapsed) / windowMs + current window's hits
 *
 * so the budget slides with time instead of refilling at once at a window boundary (a fixed
 * window lets up to twice the limit through around a boundary). Refused requests are not
 * counted: a client over its budget gets exactly `limit` requests per window through.
 *
 * The same arithmetic runs in process (SlidingWindowCounter) and in Redis (throttle.storage.ts).
 */

export interface WindowCounts {
  /** Hits counted in the current window (after this request, if it was allowed). */
  current: number;
  /** Hits counted in the previous window. */
  previous: number;
  /** Milliseconds since the current window started. */
  elapsed: number;
}

export interface WindowHit {
  allowed: boolean;
  /** Weighted hits in the sliding window, this request included if it was allowed. */
  hits: number;
  /** Milliseconds until the current window ends. */
  msLeft: number;
  /** Milliseconds until a request would be allowed again; 0 when this one was. */
  retryAfterMs: number;
}

/** Weighted hits in the sliding window. */
function weighted(previous: number, current: number, elapsed: number, windowMs: number): number {
  return (previous * (windowMs - elapsed)) / windowMs + current;
}

/** Whether one more request fits, given the counts before it. */
export function fits(counts: WindowCounts, windowMs: number, limit: number): boolean {
  return weighted(counts.previous, counts.current, counts.elapsed, windowMs) + 1 <= limit;
}

/** The outcome for a request, given the counts after it (it was counted only if allowed). */
export function outcome(
  counts: WindowCounts,
  allowed: boolean,
  windowMs: number,
  limit: number,
): WindowHit {
  const { previous, current, elapsed } = counts;
  const hits = Math.ceil(weighted(previous, current, elapsed, windowMs) - 1e-9);
  const msLeft = windowMs - elapsed;
  if (allowed) return { allowed, hits, msLeft, retryAfterMs: 0 };
  return {
    allowed,
    hits: hits + 1,
    msLeft,
    retryAfterMs: Math.ceil(waitMs(counts, windowMs, limit)),
  };
}

/** How long until weighted hits + 1 <= limit, the counts staying as they are. */
function waitMs({ previous, current, elapsed }: WindowCounts, windowMs: number, limit: number) {
  const toNextWindow = windowMs - elapsed;
  if (limit < 1) return toNextWindow; // nothing is ever allowed: say when the window ends
  if (current + 1 <= limit && previous > 0) {
    // Later in this window: previous x (windowMs - e) / windowMs + current + 1 <= limit.
    const at = windowMs * (1 - (limit - 1 - current) / previous);
    if (at < windowMs) return Math.max(0, at - elapsed);
  }
  // In the next window, where this window's hits are the previous ones and none are current.
  const into = current > 0 ? Math.max(0, windowMs * (1 - (limit - 1) / current)) : 0;
  return toNextWindow + into;
}

interface Entry {
  windowMs: number;
  /** Index of the current window: floor(time / windowMs). */
  index: number;
  current: number;
  previous: number;
}

// Keys whose windows have both ended are dropped this often.
const SWEEP_INTERVAL_MS = 60_000;

/**
 * At most this many keys are kept (about 28 MB with IPv6 address keys, measured). Callers
 * without a valid token are counted by address, so many addresses (an IPv6 range) could
 * otherwise grow the map without bound between sweeps.
 */
export const MAX_KEYS = 100_000;

/**
 * In-process sliding-window counters: one Map lookup per hit, no timer per key. When full, a
 * new key pushes out the key used least recently (a flood of new keys pushes out its own keys
 * before a client that keeps polling): the pushed-out caller's count starts again, which is
 * lenient for it, never wrong for anyone else.
 */
export class SlidingWindowCounter {
  private readonly entries = new Map<string, Entry>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly maxKeys = MAX_KEYS,
  ) {}

  hit(key: string, windowMs: number, limit: number): WindowHit {
    const now = this.now();
    const index = Math.floor(now / windowMs);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      if (this.entries.size >= this.maxKeys) this.dropLeastRecent();
      entry = { windowMs, index, current: 0, previous: 0 };
      this.entries.set(key, entry);
      this.sweepLater();
    } else {
      // The Map's order is its use order: the first key is the least recently used.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    if (entry.index !== index || entry.windowMs !== windowMs) {
      const adjacent = entry.windowMs === windowMs && entry.index === index - 1;
      entry.previous = adjacent ? entry.current : 0;
      entry.current = 0;
      entry.index = index;
      entry.windowMs = windowMs;
    }
    const counts = {
      current: entry.current,
      previous: entry.previous,
      elapsed: now - index * windowMs,
    };
    const allowed = fits(counts, windowMs, limit);
    if (allowed) counts.current = ++entry.current;
    return outcome(counts, allowed, windowMs, limit);
  }

  /** Drops every key whose last two windows have ended; returns how many are left. */
  sweep(): number {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (now >= (entry.index + 2) * entry.windowMs) this.entries.delete(key);
    }
    if (this.entries.size === 0) this.stop();
    return this.entries.size;
  }

  /**
   * Takes back one hit counted for a key (a reservation that turned out not to count, as a
   * successful login's). Approximate across a window boundary: it comes off the latest window.
   */
  release(key: string): void {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.current > 0) entry.current--;
  }

  /** Forgets a key's hits. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  private dropLeastRecent(): void {
    const oldest = this.entries.keys().next();
    if (oldest.done !== true) this.entries.delete(oldest.value);
  }

  private sweepLater(): void {
    if (this.sweeper !== undefined) return;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
  }
}
