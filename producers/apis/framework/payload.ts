/**
 * Reading API payloads defensively. An ingestor reads only the fields it needs, so unknown extra fields
 * are ignored by construction; a required field that is missing or of the wrong type throws a
 * PayloadError naming the API and the field's path (`results[3].datetime.utc`), which the runner turns
 * into a dead letter instead of a record. Optional fields read as null.
 */
import { SluiceError } from '../../../lib/errors';

/** SLUICE_API_PAYLOAD_INVALID: what the runner turns into a dead letter instead of a record. */
export class PayloadError extends SluiceError {
  /** The whole answer, when the error is about its top level (set by the API client). */
  payload?: unknown;

  constructor(
    readonly api: string,
    /** Path of the field in the answer, like `results[3].datetime.utc`. */
    readonly field: string,
    readonly problem: 'missing-field' | 'invalid-field',
    message: string,
  ) {
    super('SLUICE_API_PAYLOAD_INVALID', message, { path: field, details: { api, field, problem } });
  }
}

type Key = string | number;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function pathOf(keys: readonly Key[]): string {
  let out = '';
  for (const key of keys) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (IDENTIFIER.test(key)) out += out === '' ? key : `.${key}`;
    // Alpha Vantage's keys ("05. price") need brackets to stay readable and unambiguous.
    else out += `[${JSON.stringify(key)}]`;
  }
  return out === '' ? '(answer)' : out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return String(value);
}

/** A value inside an API answer, with the path it was reached by. */
export class Payload {
  private constructor(
    readonly api: string,
    readonly value: unknown,
    readonly keys: readonly Key[],
  ) {}

  static of(api: string, value: unknown): Payload {
    return new Payload(api, value, []);
  }

  get path(): string {
    return pathOf(this.keys);
  }

  /** The value at `keys` below this one (missing parts read as undefined). */
  at(...keys: Key[]): Payload {
    let value: unknown = this.value;
    for (const key of keys) {
      value = value !== null && typeof value === 'object' ? (value as Record<Key, unknown>)[key] : undefined;
    }
    return new Payload(this.api, value, [...this.keys, ...keys]);
  }

  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  private fail(problem: 'missing-field' | 'invalid-field', expected: string): never {
    const what =
      problem === 'missing-field'
        ? `required field ${this.path} is missing`
        : `field ${this.path} must be ${expected}, got ${describe(this.value)}`;
    throw new PayloadError(this.api, this.path, problem, `${this.api}: ${what}`);
  }

  private required(): unknown {
    if (!this.present) this.fail('missing-field', '');
    return this.value;
  }

  string(): string {
    const value = this.required();
    if (typeof value !== 'string' || value === '') this.fail('invalid-field', 'a non-empty string');
    return value;
  }

  number(): number {
    const value = this.required();
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail('invalid-field', 'a number');
    return value;
  }

  integer(): number {
    const value = this.number();
    if (!Number.isInteger(value)) this.fail('invalid-field', 'a whole number');
    return value;
  }

  /** A number, or a string holding one (Alpha Vantage sends "112.6300"); a trailing % is allowed. */
  numeric(): number {
    const value = this.required();
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value.trim().replace(/%$/, '')) : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) this.fail('invalid-field', 'a number');
    return n;
  }

  /** An ISO 8601 time (with zone), in ms since the epoch. Facebook's "+0000" offsets are accepted. */
  isoTime(): number {
    const value = this.string();
    const ms = /(?:Z|[+-]\d\d:?\d\d)$/.test(value)
      ? Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'))
      : Number.NaN;
    if (!Number.isFinite(ms)) this.fail('invalid-field', 'an ISO 8601 time with a time zone');
    return ms;
  }

  boolean(): boolean {
    const value = this.required();
    if (typeof value !== 'boolean') this.fail('invalid-field', 'true or false');
    return value;
  }

  list(): Payload[] {
    const value = this.required();
    if (!Array.isArray(value)) this.fail('invalid-field', 'a list');
    return value.map((_, i) => this.at(i));
  }

  /** The entries of an object, in order (Alpha Vantage keys its time series by time). */
  entries(): Array<[string, Payload]> {
    const value = this.required();
    if (typeof value !== 'object' || Array.isArray(value)) this.fail('invalid-field', 'an object');
    return Object.keys(value as object).map((key) => [key, this.at(key)]);
  }

  optString(): string | null {
    return this.present ? this.string() : null;
  }

  optNumber(): number | null {
    return this.present ? this.number() : null;
  }

  optNumeric(): number | null {
    return this.present ? this.numeric() : null;
  }

  optInteger(): number | null {
    return this.present ? this.integer() : null;
  }

  optBoolean(): boolean | null {
    return this.present ? this.boolean() : null;
  }

  optIsoTime(): number | null {
    return this.present ? this.isoTime() : null;
  }

  /** A list that may be absent or null (read as empty). */
  optList(): Payload[] {
    return this.present ? this.list() : [];
  }
}
