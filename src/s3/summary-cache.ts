import { SingleFlight } from '../common/single-flight.js';
import type { SummaryCacheResult } from './s3.types.js';
import type { ObjectText } from './s3-object.client.js';

/**
 * Summaries by object key. They never change once written, so entries do not expire; the
 * least recently used go first once the texts (and their keys) would pass `maxBytes`. Reads of
 * a key that is not cached share one load however many callers ask (single flight). Failures
 * are never cached. `maxBytes` 0 keeps nothing (single flight still applies).
 */
export class SummaryCache {
  private readonly entries = new Map<string, { text: string; size: number }>();
  private readonly flights = new SingleFlight<string, string>();
  private used = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes held: texts plus keys, in UTF-8. */
  get size(): number {
    return this.used;
  }

  get count(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  lookup(
    key: string,
    load: () => Promise<ObjectText>,
  ): { result: SummaryCacheResult; text: Promise<string> } {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return { result: 'hit', text: Promise.resolve(entry.text) };
    }
    const flight = this.flights.run(key, async () => {
      const loaded = await load();
      this.store(key, loaded);
      return loaded.text;
    });
    return { result: flight.shared ? 'coalesced' : 'miss', text: flight.promise };
  }

  private store(key: string, loaded: ObjectText): void {
    const size = loaded.bytes + Buffer.byteLength(key);
    if (size > this.maxBytes || this.entries.has(key)) return;
    for (const [oldest, entry] of this.entries) {
      if (this.used + size <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.used -= entry.size;
    }
    this.entries.set(key, { text: loaded.text, size });
    this.used += size;
  }
}
