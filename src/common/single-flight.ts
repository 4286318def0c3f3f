/**
 * Concurrent callers asking for the same key share one in-flight promise: the first caller
 * runs the work, the rest wait for its result (or its error). Nothing is kept after it settles.
 */
export class SingleFlight<K, V> {
  private readonly calls = new Map<K, Promise<V>>();

  /** `shared` tells whether this caller joined a call that was already running. */
  run(key: K, work: () => Promise<V>): { promise: Promise<V>; shared: boolean } {
    const running = this.calls.get(key);
    if (running !== undefined) return { promise: running, shared: true };
    const promise = work().finally(() => this.calls.delete(key));
    this.calls.set(key, promise);
    return { promise, shared: false };
  }

  get size(): number {
    return this.calls.size;
  }
}
