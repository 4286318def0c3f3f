export class LimiterOverflowError extends Error {
  override name = 'LimiterOverflowError';
}

/**
 * At most `max` tasks run at once; up to `maxQueue` more wait in order; anything beyond is
 * refused at once, so an overload answers fast instead of piling up sockets and memory.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly max: number,
    private readonly maxQueue: number,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.active >= this.max) await this.enqueue(signal);
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so active only drops when none waits.
      if (next !== undefined) next();
      else this.active--;
    }
  }

  private enqueue(signal?: AbortSignal): Promise<void> {
    if (this.waiting.length >= this.maxQueue) {
      return Promise.reject(new LimiterOverflowError('Admin Control concurrency limit reached'));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiting.indexOf(wake);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(wake);
    });
  }
}
