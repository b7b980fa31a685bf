/**
 * A seeded pseudo-random generator: sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator, 128 bits
 * of state, passes PractRand), seeded by hashing the seed text with cyrb128. Simulators use only this,
 * never the unseeded global generator, so the same seed gives the same records.
 *
 * `derive(label)` makes an independent generator from the seed and a label, whatever this one has
 * drawn so far: every process of a simulation (a device, the traffic, the anomaly scheduler) has its own
 * stream, so adding anomalies or changing one process's draws does not shift the others.
 */

export type Seed = number | string;

/** cyrb128: four 32-bit words from a string, well mixed (bryc's public-domain hash). */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** Two hex digits of every byte: a 32-bit word in hex by four lookups (the simulators make a UUID per event). */
const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** `n` (a 32-bit unsigned integer) as 8 hex digits, as n.toString(16).padStart(8, '0'). */
function hex8(n: number): string {
  return (
    (HEX_BYTES[n >>> 24] as string) +
    (HEX_BYTES[(n >>> 16) & 255] as string) +
    (HEX_BYTES[(n >>> 8) & 255] as string) +
    (HEX_BYTES[n & 255] as string)
  );
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** The seed text this generator was made from; `derive` extends it. */
  readonly key: string;

  constructor(seed: Seed) {
    this.key = String(seed);
    [this.a, this.b, this.c, this.d] = cyrb128(this.key);
    // The first outputs of a freshly seeded sfc32 are still correlated with the seed.
    for (let i = 0; i < 15; i++) this.uint32();
  }

  /** An independent generator for `label`, the same whatever this one has drawn. */
  derive(label: string): Random {
    return new Random(`${this.key}/${label}`);
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** A uniform number in [min, max). */
  float(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** A uniform integer in [min, max] (both included). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element, each equally likely. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  /** A UUID-shaped id (version 4 layout, random bits from this generator). */
  uuid(): string {
    const hex = hex8;
    const a = hex(this.uint32());
    const b = hex(this.uint32());
    const c = hex(this.uint32());
    const d = hex(this.uint32());
    const variant = ((parseInt(c[0] as string, 16) & 0x3) | 0x8).toString(16);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`;
  }
}
