/**
 * Checks of the `ingestors` section that JSON Schema cannot express: cron expressions node-cron accepts,
 * at least one target, target names unique within a list (they become record keys), TomTom's largest
 * incident area, and Google's largest matrix. Like the other semantic checks they read defensively:
 * they also run when the schema found problems.
 */
import cron from 'node-cron';
import { isRecord } from './path';
import type { LocatedIssue } from './schema-issues';

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const field = (value: unknown, key: string): unknown => (isRecord(value) ? value[key] : undefined);
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** TomTom refuses incident boxes larger than this. */
const TOMTOM_MAX_AREA_KM2 = 10_000;
/** Google's most elements (origin-destination pairs) in one Distance Matrix request. */
const GOOGLE_MAX_ELEMENTS = 100;

function scheduleIssue(api: string, entry: unknown): LocatedIssue[] {
  const schedule = field(entry, 'schedule');
  if (typeof schedule !== 'string' || schedule === '') return []; // the schema reports it
  const result = cron.validateDetailed(schedule);
  if (result.valid) return [];
  const why = result.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  return [
    {
      segments: ['ingestors', api, 'schedule'],
      message: `'${schedule}' is not a cron expression${why ? ` (${why})` : ''}`,
      fix: "write minute hour day-of-month month day-of-week, e.g. '*/15 * * * *' (every 15 minutes), or six fields with seconds first",
    },
  ];
}

function uniqueNames(api: string, key: string, entry: unknown): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  const seen = new Map<string, number>();
  list(field(entry, key)).forEach((item, i) => {
    const name = field(item, 'name');
    if (typeof name !== 'string') return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, i);
    else
      issues.push({
        segments: ['ingestors', api, key, i, 'name'],
        message: `duplicate name '${name}' (first at ${key}[${first}])`,
        fix: 'rename it: names become record keys and must be unique',
      });
  });
  return issues;
}

function needsTargets(api: string, entry: unknown, keys: string[]): LocatedIssue[] {
  if (keys.some((k) => list(field(entry, k)).length > 0)) return [];
  return [
    {
      segments: ['ingestors', api],
      message: `${api} has nothing to read: ${keys.join(' and ')} are empty`,
      fix: `list at least one of ${keys.join(', ')}, or remove ingestors.${api}`,
    },
  ];
}

/** Area of a lon/lat box in km², on a sphere. */
function areaKm2(box: unknown): number | undefined {
  const [w, s, e, n] = ['minLon', 'minLat', 'maxLon', 'maxLat'].map((k) => num(field(box, k)));
  if (w === undefined || s === undefined || e === undefined || n === undefined) return undefined;
  const R = 6371;
  const rad = Math.PI / 180;
  return Math.abs(R * R * (e - w) * rad * (Math.sin(n * rad) - Math.sin(s * rad)));
}

function tomTomIssues(entry: unknown): LocatedIssue[] {
  const issues = [
    ...needsTargets('tomtom', entry, ['points', 'incidentAreas']),
    ...uniqueNames('tomtom', 'points', entry),
    ...uniqueNames('tomtom', 'incidentAreas', entry),
  ];
  list(field(entry, 'incidentAreas')).forEach((box, i) => {
    const at = ['ingestors', 'tomtom', 'incidentAreas', i];
    for (const [min, max] of [
      ['minLon', 'maxLon'],
      ['minLat', 'maxLat'],
    ] as const) {
      const lo = num(field(box, min));
      const hi = num(field(box, max));
      if (lo !== undefined && hi !== undefined && lo >= hi)
        issues.push({
          segments: [...at, max],
          message: `${max} ${hi} is not greater than ${min} ${lo}`,
          fix: `swap ${min} and ${max}`,
        });
    }
    const area = areaKm2(box);
    if (area !== undefined && area > TOMTOM_MAX_AREA_KM2) {
      issues.push({
        segments: at,
        message: `the box covers about ${Math.round(area).toLocaleString('en-US')} km², more than the ${TOMTOM_MAX_AREA_KM2.toLocaleString('en-US')} km² TomTom accepts`,
        fix: 'split it into smaller boxes',
      });
    }
  });
  return issues;
}

function googleIssues(entry: unknown): LocatedIssue[] {
  const issues = uniqueNames('google-maps', 'routes', entry);
  list(field(entry, 'routes')).forEach((route, i) => {
    const pairs = list(field(route, 'origins')).length * list(field(route, 'destinations')).length;
    if (pairs > GOOGLE_MAX_ELEMENTS) {
      issues.push({
        segments: ['ingestors', 'google-maps', 'routes', i],
        message: `${pairs} origin-destination pairs, more than the ${GOOGLE_MAX_ELEMENTS} Google allows in one request`,
        fix: 'split the route into several entries',
      });
    }
  });
  return issues;
}

export function ingestorIssues(data: unknown): LocatedIssue[] {
  const ingestors = field(data, 'ingestors');
  if (!isRecord(ingestors)) return [];
  const issues: LocatedIssue[] = [];
  for (const [api, entry] of Object.entries(ingestors)) {
    if (!isRecord(entry)) continue;
    if (api !== 'x') issues.push(...scheduleIssue(api, entry));
    if (api === 'openaq') issues.push(...needsTargets(api, entry, ['locations', 'sensors']));
    if (api === 'tomtom') issues.push(...tomTomIssues(entry));
    if (api === 'open-meteo') issues.push(...uniqueNames(api, 'points', entry));
    if (api === 'google-maps') issues.push(...googleIssues(entry));
  }
  return issues;
}
