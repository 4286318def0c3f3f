export interface StoredAnswer<T = unknown> {
  value: T;
  /** When Admin Control gave it (ms since the epoch): the TTL counts from here. */
  fetchedAt: number;
}

interface Slot {
  answer: StoredAnswer;
  bytes: number;
  /** After this nothing can use the answer (neither fresh nor stale-if-error). */
  uselessAt: number;
}

// Bounds the number of answers whatever their size (a tenant with very many rooms).
const MAX_ENTRIES = 100_000;
// What a slot costs besides its JSON (Map entry, objects, the key), roughly.
const SLOT_OVERHEAD_BYTES = 200;

/**
 * Answers in insertion order, bounded in entries and (approximately) in bytes: storing evicts
 * the oldest until both bounds hold, and drops answers nothing can use any more, up to two per
 * store, so memory follows what is being asked for rather than what was ever asked.
 */
export class CacheStore {
  private readonly slots = new Map<string, Slot>();
  private totalBytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): StoredAnswer | undefined {
    return this.slots.get(key)?.answer;
  }

  /** `jsonLength`: the answer's JSON length (its size, roughly). */
  set(key: string, answer: StoredAnswer, jsonLength: number, keepMs: number): void {
    this.delete(key); // re-inserted at the end: Map order is the eviction order
    const bytes = SLOT_OVERHEAD_BYTES + 2 * (key.length + jsonLength);
    if (keepMs <= 0 || bytes > this.maxBytes) return;
    this.dropUseless();
    while (
      this.slots.size > 0 &&
      (this.slots.size >= MAX_ENTRIES || this.totalBytes + bytes > this.maxBytes)
    ) {
      this.delete(this.slots.keys().next().value!);
    }
    this.slots.set(key, { answer, bytes, uselessAt: answer.fetchedAt + keepMs });
    this.totalBytes += bytes;
  }

  get size(): number {
    return this.slots.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  private delete(key: string): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    this.totalBytes -= slot.bytes;
  }

  private dropUseless(): void {
    const now = Date.now();
    for (let dropped = 0; dropped < 2; dropped++) {
      const first = this.slots.entries().next();
      if (first.done === true || first.value[1].uselessAt > now) return;
      this.delete(first.value[0]);
    }
  }
}
