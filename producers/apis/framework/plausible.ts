/**
 * Values that parse and match the Avro schema but cannot be true: a time thousands of years ahead (an API
 * that sent milliseconds where it documents seconds, multiplied once more) or decades back (seconds read
 * as milliseconds), and numbers outside the range the topic's schema documents (a TomTom confidence of 7
 * where the doc says 0 to 1). Such a record goes to the dead letters with the field and the reason.
 *
 * The ranges are those the schemas' `doc` strings state; producers/apis/framework/plausible.test.ts checks
 * that each range here is written in the doc of its field, so the two cannot drift apart.
 */
import type { SchemaName } from '../../../schemas';
import type { Reject } from './types';

export interface FieldRange {
  min?: number;
  max?: number;
  /** How the schema's doc states it (checked by the test), e.g. `from 0 to 1`. */
  doc: string;
}

const LATITUDE: FieldRange = { min: -90, max: 90, doc: 'Latitude' };
const LONGITUDE: FieldRange = { min: -180, max: 180, doc: 'Longitude' };

/** Documented ranges, per schema and field. */
export const FIELD_RANGES: Readonly<Partial<Record<SchemaName, Readonly<Record<string, FieldRange>>>>> = {
  'air-quality-measurement': { lat: LATITUDE, lon: LONGITUDE },
  'traffic-flow': {
    confidence: { min: 0, max: 1, doc: 'from 0 to 1' },
    lat: LATITUDE,
    lon: LONGITUDE,
  },
  'traffic-incident': {
    icon_category: { min: 0, max: 14, doc: '(0 to 14)' },
    lat: LATITUDE,
    lon: LONGITUDE,
  },
  'weather-observation': {
    lat: LATITUDE,
    lon: LONGITUDE,
    humidity_pct: { min: 0, max: 100, doc: '(0 to 100)' },
    cloud_cover_pct: { min: 0, max: 100, doc: '(0 to 100)' },
    uv_index: { min: 0, doc: '(0 and up' },
  },
};

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;
/** Nothing the APIs report is older: the far-past bound (seconds read as milliseconds land in 1970). */
export const EARLIEST = Date.UTC(2000, 0, 1);
/** Except price history: Yahoo's `range: max` goes back to a listing's first day (IBM: 1962). */
const EARLIEST_BY_SCHEMA: Readonly<Partial<Record<SchemaName, number>>> = { 'market-bar': Date.UTC(1900, 0, 1) };

/**
 * How far ahead of the fetch a time may be. Readings and posts describe the past or the present (a day of
 * slack for clocks and zones); an incident may be planned to start or end months or years ahead.
 */
const AHEAD: Readonly<Record<string, number>> = { start_ts: 10 * YEAR, end_ts: 10 * YEAR };
const DEFAULT_AHEAD = DAY;

/** The time fields of a record value: ts and every *_ts but ingest_ts (the ingestor's own clock). */
const isTimeField = (name: string) => name === 'ts' || (name.endsWith('_ts') && name !== 'ingest_ts');

function years(ms: number): string {
  const y = Math.abs(ms) / YEAR;
  return y >= 10 ? `${Math.round(y).toLocaleString('en-US')} years` : `${Math.round(Math.abs(ms) / DAY)} days`;
}

function plausibleTime(name: string, ms: number, now: number, earliest = EARLIEST): boolean {
  return ms >= earliest && ms <= now + (AHEAD[name] ?? DEFAULT_AHEAD);
}

/** Why `ms` in field `name` cannot be right, with the likely cause. */
function timeProblem(api: string, name: string, ms: number, now: number, earliest: number): string {
  const when = Number.isFinite(new Date(ms).getTime()) ? ` (${new Date(ms).toISOString()})` : '';
  const where = ms > now ? `${years(ms - now)} after the fetch` : `${years(now - ms)} before the fetch`;
  const cause = plausibleTime(name, ms / 1000, now, earliest)
    ? ': the API sent milliseconds where it documents seconds'
    : plausibleTime(name, ms * 1000, now, earliest)
      ? ': the API sent seconds where milliseconds were expected'
      : '';
  return `${api}: ${name}=${ms}${when} is ${where}, not a plausible time${cause}`;
}

/**
 * The first implausible field of a record for `schema`, as a dead letter's reject; undefined when the
 * record is plausible. `now`: the time of the fetch.
 */
export function implausible(
  api: string,
  schema: SchemaName | undefined,
  topic: string,
  value: Readonly<Record<string, unknown>>,
  timestamp: number,
  now: number,
): Reject | undefined {
  const reject = (reason: Reject['reason'], field: string, message: string): Reject => ({
    reason,
    field,
    message,
    payload: value,
    topic,
  });
  const earliest = (schema && EARLIEST_BY_SCHEMA[schema]) ?? EARLIEST;
  for (const [name, field] of Object.entries(value)) {
    if (isTimeField(name) && typeof field === 'number' && !plausibleTime(name, field, now, earliest))
      return reject('implausible-time', name, timeProblem(api, name, field, now, earliest));
  }
  if (!plausibleTime('ts', timestamp, now, earliest))
    return reject('implausible-time', '(record timestamp)', timeProblem(api, 'timestamp', timestamp, now, earliest));
  const ranges = schema ? FIELD_RANGES[schema] : undefined;
  for (const [name, range] of Object.entries(ranges ?? {})) {
    const field = value[name];
    if (typeof field !== 'number') continue;
    if ((range.min !== undefined && field < range.min) || (range.max !== undefined && field > range.max)) {
      const bounds = range.max === undefined ? `at least ${range.min}` : `${range.min ?? '-∞'} to ${range.max}`;
      return reject(
        'out-of-range',
        name,
        `${api}: ${name}=${field} is outside ${bounds}, the range schemas/${schema}.avsc documents`,
      );
    }
  }
  return undefined;
}
