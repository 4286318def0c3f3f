interface Window {
  hits: number;
  resetAt: number;
}

export interface WindowHit {
  /** Hits in the current window, this one included. */
  hits: number;
  /** Milliseconds until the window resets. */
  msLeft: number;
}

// Windows that have ended are dropped this often; between sweeps they are reused in place.
const SWEEP_INTERVAL_MS = 60_000;

/**
 * In-process fixed-window counters: one Map lookup per hit, no timer per key. A window starts
 * at a key's first hit and lasts windowMs; an interval (unref'd) drops windows that ended.
 */
export class FixedWindowCounter {
  private readonly windows = new Map<string, Window>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number = () => Date.now()) {}

  hit(key: string, windowMs: number): WindowHit {
    const now = this.now();
    const window = this.windows.get(key);
    if (window === undefined) {
      this.windows.set(key, { hits: 1, resetAt: now + windowMs });
      this.sweepLater();
      return { hits: 1, msLeft: windowMs };
    }
    if (now >= window.resetAt) {
      window.hits = 0;
      window.resetAt = now + windowMs;
    }
    window.hits += 1;
    return { hits: window.hits, msLeft: window.resetAt - now };
  }

  /** Drops every window that has ended; returns how many are left. */
  sweep(): number {
    const now = this.now();
    for (const [key, window] of this.windows) {
      if (now >= window.resetAt) this.windows.delete(key);
    }
    if (this.windows.size === 0) this.stop();
    return this.windows.size;
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  get size(): number {
    return this.windows.size;
  }

  private sweepLater(): void {
    if (this.sweeper !== undefined) return;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
  }
}
