/**
 * InfluxQL durations (`30d`, `1h30m`, `INF`) and the Go duration strings InfluxDB prints them back as
 * (`720h0m0s`, `1h30m0s`, `0s` for infinite), so a retention policy in the spec can be compared with
 * SHOW RETENTION POLICIES. Nanoseconds are bigints: a year of them does not fit a double exactly.
 */

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  u: 1_000n,
  µ: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

export const HOUR_NS = UNIT_NS.h!;

/** Nanoseconds of an InfluxQL duration; 0n for INF (keep forever); undefined when it is not one. */
export function parseInfluxDuration(text: string): bigint | undefined {
  if (/^inf$/i.test(text)) return 0n;
  if (!/^([0-9]+(ns|u|µ|ms|s|m|h|d|w))+$/.test(text)) return undefined;
  let total = 0n;
  for (const [, amount, unit] of text.matchAll(/([0-9]+)(ns|u|µ|ms|s|m|h|d|w)/g))
    total += BigInt(amount!) * UNIT_NS[unit!]!;
  return total;
}

/** What Go's time.Duration.String() prints for whole seconds and more: `720h0m0s`, `1m30s`, `0s`. */
export function goDurationString(ns: bigint): string {
  if (ns === 0n) return '0s';
  const second = UNIT_NS.s!;
  const hours = ns / HOUR_NS;
  const minutes = (ns % HOUR_NS) / UNIT_NS.m!;
  const rest = ns % UNIT_NS.m!;
  const whole = rest / second;
  const fraction = rest % second;
  const seconds = fraction === 0n ? `${whole}` : `${whole}.${fraction.toString().padStart(9, '0').replace(/0+$/, '')}`;
  if (hours > 0n) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** The form InfluxDB prints an InfluxQL duration in; undefined when it is not a duration. */
export function normaliseInfluxDuration(text: string): string | undefined {
  const ns = parseInfluxDuration(text);
  return ns === undefined ? undefined : goDurationString(ns);
}
