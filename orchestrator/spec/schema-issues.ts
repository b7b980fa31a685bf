/**
 * Turns ajv's errors into issues a person can act on: where (`topics[2].partitions`), what is wrong, and
 * a concrete fix. Messages and fixes that belong to one property live in the schema itself
 * (`patternErrorMessage`, which editors show too, and `x-fix`), so the CLI and the editor agree.
 */
import type { ErrorObject } from 'ajv';
import schema from '../../lib/spec/pipeline.schema.json';
import { isRecord, pointerToSegments } from './path';
import type { Segment } from './path';
import { closest } from './suggest';

export interface LocatedIssue {
  segments: Segment[];
  message: string;
  fix: string;
  /** For an unknown key: the known key it is probably a typo of. */
  meant?: string;
  /** For a missing key: its name. */
  missing?: string;
  /** For a file the spec names that does not exist: its absolute path (missing-files.ts groups them). */
  missingFile?: string;
}

type SchemaNode = Record<string, unknown>;

/** Follows a local `$ref` (`#/definitions/topic`), the only kind this schema uses. */
function resolve(node: unknown): SchemaNode {
  if (!isRecord(node)) return {};
  const ref = node.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return node;
  let target: unknown = schema;
  for (const key of ref.slice(2).split('/')) target = isRecord(target) ? target[key] : undefined;
  return isRecord(target) ? target : {};
}

/** A value as it would appear in the YAML, short enough for one line. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (an empty value)';
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** An example value in YAML flow style: `6`, `web.access-logs`, `[write, describe]`. */
function yamlValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(yamlValue).join(', ')}]`;
  if (isRecord(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${yamlValue(v)}`)
      .join(', ')}}`;
  return String(value);
}

function exampleOf(node: SchemaNode): unknown {
  if (Array.isArray(node.examples) && node.examples.length > 0) return node.examples[0];
  if ('const' in node) return node.const;
  if (Array.isArray(node.enum)) return node.enum[0];
  return undefined;
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  null: 'empty',
};

function typeNames(types: string[]): string {
  const names = types.map((t) => TYPE_NAMES[t] ?? t);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function hint(node: unknown, keyword: string): string | undefined {
  const fixes = isRecord(node) ? node['x-fix'] : undefined;
  const value = isRecord(fixes) ? fixes[keyword] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function typeFix(types: string[], data: unknown, at: Segment[]): string {
  if (at.length === 0) return 'write the spec as a mapping that starts with apiVersion: sluice/v1 and name: <pipeline>';
  const wantsNumber = types.includes('integer') || types.includes('number');
  if (data === null || data === undefined) return 'give it a value, or remove the key';
  if (wantsNumber && typeof data === 'string' && data.trim() !== '' && !Number.isNaN(Number(data))) {
    return `write ${data.trim()} without quotes`;
  }
  if (types.includes('integer') && typeof data === 'number')
    return `use a whole number, e.g. ${Math.max(1, Math.round(data))}`;
  if (types.includes('array') && typeof data === 'string') return `write it as a list: [${data}]`;
  if (types.includes('array')) return 'write it as a list, e.g. [a, b]';
  if (types.includes('object')) return 'write it as a mapping, one `key: value` per line';
  if (types.includes('string') && (typeof data === 'number' || typeof data === 'boolean'))
    return `quote it: '${String(data)}'`;
  return `use ${typeNames(types)}`;
}

/**
 * `partitons: 3` is one mistake, not two (an unknown key and a missing one): report the typo only, with
 * "rename it" as the fix.
 */
export function mergeTypos(issues: LocatedIssue[]): LocatedIssue[] {
  const parentOf = (issue: LocatedIssue): string => JSON.stringify(issue.segments.slice(0, -1));
  const typos = issues.filter((i) => i.meant !== undefined);
  const explained = new Set<LocatedIssue>();
  for (const typo of typos) {
    const missing = issues.find((i) => i.missing === typo.meant && parentOf(i) === parentOf(typo) && !explained.has(i));
    if (!missing) continue;
    explained.add(missing);
    typo.fix = `rename it to '${typo.meant}'`;
  }
  return issues.filter((i) => !explained.has(i));
}

export function issueFromAjvError(error: ErrorObject, root: unknown): LocatedIssue | undefined {
  const at = pointerToSegments(error.instancePath, root);
  const parent: SchemaNode = isRecord(error.parentSchema) ? error.parentSchema : {};
  const params = error.params as Record<string, unknown>;
  const data: unknown = error.data;

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys(isRecord(parent.properties) ? parent.properties : {});
      const suggestion = closest(key, known);
      const properties = isRecord(parent.properties) ? parent.properties : {};
      // `retention.ms: …` written beside partitions belongs one level down.
      const belongsInConfig = 'config' in properties && /^[a-z]+(\.[a-z]+)+$/.test(key);
      let fix = `remove it; the known keys are ${known.join(', ')}`;
      if (belongsInConfig) fix = `move it under config: (topic-level overrides go there)`;
      else if (suggestion) fix = `remove it (did you mean '${suggestion}'?)`;
      const issue: LocatedIssue = { segments: [...at, key], message: `unknown key '${key}'`, fix };
      if (suggestion) issue.meant = suggestion;
      return issue;
    }
    case 'required': {
      const key = String(params.missingProperty);
      const property = resolve(isRecord(parent.properties) ? parent.properties[key] : undefined);
      const example = exampleOf(property);
      const fix =
        example === undefined
          ? `add ${key}${typeof property.description === 'string' ? ` (${property.description})` : ''}`
          : `add it, e.g. ${key}: ${yamlValue(example)}`;
      return { segments: [...at, key], message: `${key} is required`, fix, missing: key };
    }
    case 'type': {
      const types = Array.isArray(params.type) ? params.type.map(String) : String(params.type).split(',');
      return { segments: at, message: `must be ${typeNames(types)}, got ${show(data)}`, fix: typeFix(types, data, at) };
    }
    case 'minimum':
    case 'exclusiveMinimum': {
      const limit = Number(params.limit) + (error.keyword === 'exclusiveMinimum' ? 1 : 0);
      return {
        segments: at,
        message: `must be at least ${limit}, got ${show(data)}`,
        fix: `use a value of at least ${limit}`,
      };
    }
    case 'maximum':
    case 'exclusiveMaximum': {
      const limit = Number(params.limit) - (error.keyword === 'exclusiveMaximum' ? 1 : 0);
      return {
        segments: at,
        message: `must be at most ${limit}, got ${show(data)}`,
        fix: `use a value of at most ${limit}`,
      };
    }
    case 'enum': {
      const allowed = (Array.isArray(params.allowedValues) ? params.allowedValues : []).map(String);
      const suggestion = typeof data === 'string' ? closest(data, allowed) : undefined;
      return {
        segments: at,
        message: `must be one of ${allowed.join(', ')}, got ${show(data)}`,
        fix: `use one of: ${allowed.join(', ')}${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`,
      };
    }
    case 'const':
      return {
        segments: at,
        message: `must be ${show(params.allowedValue)}, got ${show(data)}`,
        fix: hint(parent, 'const') ?? `set it to ${String(params.allowedValue)}`,
      };
    case 'pattern': {
      // A failing propertyNames pattern is about a key, not a value: point at the key.
      const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
      const subject = propertyName === undefined ? data : propertyName;
      const segments = propertyName === undefined ? at : [...at, propertyName];
      const explained =
        typeof parent.patternErrorMessage === 'string'
          ? parent.patternErrorMessage
          : `must match ${String(params.pattern)}`;
      const fix =
        hint(parent, 'pattern') ??
        (propertyName === undefined
          ? `change it to match ${String(params.pattern)}`
          : 'use the config name as Kafka documents it');
      return { segments, message: `${show(subject)} ${explained}`, fix };
    }
    case 'propertyNames':
      // Reported by the nested pattern error above, which names the key.
      return undefined;
    case 'not':
      // The schema uses `not` only for reserved values.
      return { segments: at, message: `${show(data)} is reserved`, fix: hint(parent, 'not') ?? 'choose another value' };
    case 'minItems': {
      const limit = Number(params.limit);
      return {
        segments: at,
        message: `must list at least ${limit} item${limit === 1 ? '' : 's'}`,
        fix: `add at least ${limit}, or remove the key`,
      };
    }
    case 'uniqueItems': {
      const later = Math.max(Number(params.i), Number(params.j));
      const earlier = Math.min(Number(params.i), Number(params.j));
      const item = Array.isArray(data) ? data[later] : undefined;
      return {
        segments: [...at, later],
        message: `${show(item)} is listed twice (also at [${earlier}])`,
        fix: 'remove the duplicate',
      };
    }
    case 'minLength':
      return { segments: at, message: 'must not be empty', fix: 'give it a value, or remove the key' };
    case 'maxLength':
      return {
        segments: at,
        message: `is longer than ${String(params.limit)} characters`,
        fix: `shorten it to at most ${String(params.limit)} characters`,
      };
    default:
      return {
        segments: at,
        message: error.message ?? `fails ${error.keyword}`,
        fix: 'see lib/spec/pipeline.schema.json',
      };
  }
}
