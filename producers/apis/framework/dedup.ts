/**
 * Polling asks again for what it already has: an hourly air-quality value polled every 10 minutes comes
 * back five times unchanged. Each record names what it is a reading of (`identity`) and what it says
 * (`content`, without the fetch time); a record whose identity was last seen with the same content is a
 * repeat and is dropped. A changed value under the same identity (a bar still forming, an incident whose
 * delay grew) passes. Memory is bounded: the least recently seen identities are forgotten first, so at
 * worst a forgotten reading is produced once more.
 */
import { createHash } from 'node:crypto';

export class Deduplicator {
  /** identity -> hash of the content last produced; Map order is recency order. */
  private readonly seen = new Map<string, string>();

  constructor(readonly maxEntries = 50_000) {}

  /** True when the record should be produced (new identity, or changed content). */
  admit(identity: string, content: string): boolean {
    const hash = createHash('sha1').update(content).digest('base64');
    const previous = this.seen.get(identity);
    this.seen.delete(identity);
    this.seen.set(identity, hash);
    if (this.seen.size > this.maxEntries) this.seen.delete(this.seen.keys().next().value as string);
    return previous !== hash;
  }

  get size(): number {
    return this.seen.size;
  }
}
