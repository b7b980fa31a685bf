/**
 * APIs that give local times without an offset: Alpha Vantage ("2026-04-02 19:55:00" in its Meta Data's
 * "US/Eastern"), Open-Meteo ("2026-09-01T09:00" with utc_offset_seconds). Node's Intl knows the IANA
 * zones, so no time-zone library is needed.
 */

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** UTC ms of a wall-clock time "YYYY-MM-DD[ HH:mm[:ss]]" without zone; NaN when it is not one. */
export function localFields(local: string): number {
  const m = LOCAL.exec(local.trim());
  if (!m) return Number.NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

/** Offset of `timeZone` from UTC at instant `utcMs`, in ms (New York in winter: -5 h). Throws RangeError for an unknown zone. */
function offsetAt(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - utcMs;
}

/** UTC ms of wall-clock time `local` in `timeZone` (the offset is re-checked once, for DST changes). */
export function zonedTimeToUtc(local: string, timeZone: string): number {
  const wall = localFields(local);
  if (!Number.isFinite(wall)) return Number.NaN;
  const first = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(first, timeZone);
  return second;
}

/** YYYY-MM-DD of instant `utcMs` in `timeZone`. */
export function dayIn(utcMs: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(utcMs),
  );
}
