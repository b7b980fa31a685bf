/**
 * The live series, bounded: a segmented LRU (SLRU, as in caches that must survive scans). A new series
 * enters the probation segment; once it has proved itself (the processor promotes it at its third
 * point) it moves to the protected segment, which holds at most `protectedMax` (80 % of the limit by
 * default). When the store is full, room is made by evicting the least recently used series of
 * probation first, and only when probation is empty the least recently used protected one. A
 * protected segment over its size demotes its least recently used series to probation.
 *
 * So a burst of thousands of one-off keys churns through probation and never pushes out the series
 * that report every window, and a series that stops reporting sinks to the end of its segment and goes
 * first. Every operation is O(1): each segment is a Map in recency order (delete and set again moves
 * an entry to the most recent end).
 */
export class SeriesStore<V> {
  private readonly probation = new Map<string, V>();
  private readonly protectedSeg = new Map<string, V>();
  readonly protectedMax: number;

  constructor(
    /** Series held at most. */
    readonly max: number,
    protectedShare = 0.8,
  ) {
    if (!(Number.isInteger(max) && max >= 1))
      throw new RangeError(`a series store holds at least 1 series, got ${max}`);
    this.protectedMax = Math.max(1, Math.floor(max * protectedShare));
  }

  get size(): number {
    return this.probation.size + this.protectedSeg.size;
  }

  get protectedSize(): number {
    return this.protectedSeg.size;
  }

  get(id: string): V | undefined {
    return this.protectedSeg.get(id) ?? this.probation.get(id);
  }

  has(id: string): boolean {
    return this.protectedSeg.has(id) || this.probation.has(id);
  }

  isProtected(id: string): boolean {
    return this.protectedSeg.has(id);
  }

  /** Marks a series used now: the most recent of its segment. */
  touch(id: string): void {
    for (const segment of [this.protectedSeg, this.probation]) {
      const value = segment.get(id);
      if (value === undefined) continue;
      segment.delete(id);
      segment.set(id, value);
      return;
    }
  }

  /** Adds a new series to probation (most recent); returns the series evicted to make room, oldest first. */
  add(id: string, value: V): Array<[string, V]> {
    const evicted: Array<[string, V]> = [];
    if (this.has(id)) {
      this.delete(id);
    }
    while (this.size >= this.max) {
      const victim = this.oldest();
      if (!victim) break;
      this.delete(victim[0]);
      evicted.push(victim);
    }
    this.probation.set(id, value);
    return evicted;
  }

  /** The series the next eviction takes: probation's least recent, else protected's. */
  oldest(): [string, V] | undefined {
    const first = this.probation.entries().next();
    if (!first.done) return first.value;
    const protectedFirst = this.protectedSeg.entries().next();
    return protectedFirst.done ? undefined : protectedFirst.value;
  }

  /** Moves a series to protected (most recent); protected over its size demotes its least recent to probation. */
  protect(id: string): void {
    const value = this.probation.get(id);
    if (value === undefined) {
      this.touch(id);
      return;
    }
    this.probation.delete(id);
    this.protectedSeg.set(id, value);
    while (this.protectedSeg.size > this.protectedMax) {
      const [demoted, v] = this.protectedSeg.entries().next().value as [string, V];
      this.protectedSeg.delete(demoted);
      this.probation.set(demoted, v);
    }
  }

  delete(id: string): V | undefined {
    const value = this.get(id);
    this.protectedSeg.delete(id);
    this.probation.delete(id);
    return value;
  }

  /** Every series: probation then protected, each from least to most recent. */
  *entries(): IterableIterator<[string, V]> {
    yield* this.probation.entries();
    yield* this.protectedSeg.entries();
  }

  clear(): void {
    this.probation.clear();
    this.protectedSeg.clear();
  }
}
