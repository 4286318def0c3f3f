/**
 * Event counts over the last `windowMs`, kept in a ring of buckets so that reading and adding
 * are O(buckets) with no per-event allocation.
 */
export class SlidingWindow<Name extends string> {
  private readonly bucketMs: number;
  private readonly starts: number[];
  private readonly counts: Record<Name, number[]>;

  constructor(
    windowMs: number,
    names: readonly Name[],
    private readonly now: () => number = Date.now,
    private readonly buckets = 10,
  ) {
    this.bucketMs = Math.max(1, Math.ceil(windowMs / buckets));
    this.starts = new Array<number>(buckets).fill(-Infinity);
    this.counts = Object.fromEntries(
      names.map((name) => [name, new Array<number>(buckets).fill(0)]),
    ) as Record<Name, number[]>;
  }

  add(name: Name, amount = 1): void {
    const index = this.bucketFor(this.now());
    this.counts[name][index] += amount;
  }

  total(name: Name): number {
    const oldest = this.now() - this.bucketMs * this.buckets;
    let sum = 0;
    for (let i = 0; i < this.buckets; i++) {
      if (this.starts[i] > oldest) sum += this.counts[name][i];
    }
    return sum;
  }

  reset(): void {
    this.starts.fill(-Infinity);
  }

  private bucketFor(time: number): number {
    const start = time - (time % this.bucketMs);
    const index = Math.floor(time / this.bucketMs) % this.buckets;
    if (this.starts[index] !== start) {
      this.starts[index] = start;
      for (const counts of Object.values<number[]>(this.counts)) counts[index] = 0;
    }
    return index;
  }
}
