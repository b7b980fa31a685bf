/**
 * Normalises topic config values before they are compared. A spec may spell a value differently from
 * how Kafka stores it (`True` for `true`, `1e3` for `1000`, `compact, delete` for `compact,delete`);
 * without this every plan would show updates that change nothing.
 */

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function normaliseConfigValue(value: string): string {
  const trimmed = value.trim();
  // BigInt keeps Long.MAX_VALUE (9223372036854775807) exact, where Number would round it.
  if (INTEGER.test(trimmed)) return BigInt(trimmed).toString();
  if (DECIMAL.test(trimmed)) return String(Number(trimmed));
  if (/^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase();
  return trimmed.includes(',')
    ? trimmed
        .split(',')
        .map((item) => item.trim())
        .join(',')
    : trimmed;
}

/** Sorted by key, so the diff and the plan list config in a stable order. */
export function normaliseConfig(config: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(config).sort()) out[key] = normaliseConfigValue(config[key] ?? '');
  return out;
}
