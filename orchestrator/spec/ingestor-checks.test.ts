/** The `ingestors` section: defaults, and every mistake reported with its path and a fix. */
import { parseSpec } from './load';
import type { SpecIssue } from './types';
import { validateSpec } from './validate';

const spec = (ingestors: Record<string, unknown>) => ({ apiVersion: 'sluice/v1', name: 'demo', ingestors });
const issuesOf = (ingestors: Record<string, unknown>): SpecIssue[] => validateSpec(spec(ingestors)).issues;

describe('ingestors', () => {
  it('defaults to no ingestors, and fills in each entry from the schema', () => {
    expect(validateSpec(spec({})).spec?.ingestors).toEqual({});
    expect(validateSpec({ apiVersion: 'sluice/v1', name: 'demo' }).spec?.ingestors).toEqual({});
    const { spec: loaded } = validateSpec(
      spec({
        'open-meteo': { points: [{ name: 'amsterdam', lat: 52.37, lon: 4.89 }] },
        yahoo: { symbols: ['GOOG'] },
        x: {},
      }),
    );
    expect(loaded?.ingestors['open-meteo']).toEqual({
      enabled: true,
      schedule: '*/15 * * * *',
      points: [{ name: 'amsterdam', lat: 52.37, lon: 4.89 }],
    });
    expect(loaded?.ingestors.yahoo).toEqual({
      enabled: true,
      schedule: '*/5 * * * *',
      symbols: ['GOOG'],
      interval: '5m',
      range: '1d',
    });
    expect(loaded?.ingestors.x).toEqual({ enabled: true, mode: 'filtered', rules: [] });
  });

  it('refuses a schedule that is not a cron expression, saying how to write one', () => {
    expect(issuesOf({ yahoo: { symbols: ['GOOG'], schedule: 'every 5 minutes' } })).toEqual([
      {
        path: 'ingestors.yahoo.schedule',
        message: expect.stringMatching(/^'every 5 minutes' is not a cron expression/),
        fix: "write minute hour day-of-month month day-of-week, e.g. '*/15 * * * *' (every 15 minutes), or six fields with seconds first",
      },
    ]);
    expect(issuesOf({ yahoo: { symbols: ['GOOG'], schedule: '*/10 * * * * *' } })).toEqual([]);
  });

  it('names unknown keys, wrong values and missing targets by their path', () => {
    const issues = issuesOf({
      openaq: { locations: [] },
      'open-meteo': { points: [{ name: 'x', lat: 95, lon: 4 }] },
      alphavantage: { symbols: ['IBM'], functions: ['QUOTE'] },
      weatherapi: { citys: ['London'] },
      facebook: { pages: ['meta'], baseUrl: 'graph.facebook.com' },
      nasa: {},
    });
    expect(issues.map((i) => [i.path, i.message])).toEqual(
      expect.arrayContaining([
        ['ingestors.nasa', "unknown key 'nasa'"],
        ['ingestors["open-meteo"].points[0].lat', 'must be at most 90, got 95'],
        [
          'ingestors.alphavantage.functions[0]',
          "must be one of GLOBAL_QUOTE, TIME_SERIES_INTRADAY, TIME_SERIES_DAILY, got 'QUOTE'",
        ],
        ['ingestors.weatherapi.citys', "unknown key 'citys'"],
        ['ingestors.facebook.baseUrl', "'graph.facebook.com' must be an http:// or https:// URL"],
        ['ingestors.openaq', 'openaq has nothing to read: locations and sensors are empty'],
      ]),
    );
    expect(issues.find((i) => i.path === 'ingestors.weatherapi.citys')?.fix).toBe("rename it to 'cities'");
    for (const issue of issues) expect(issue.fix).toBeTruthy();
  });

  it('checks TomTom areas and Google matrices against what the APIs accept, and names unique', () => {
    const issues = issuesOf({
      tomtom: {
        points: [
          { name: 'a', lat: 52, lon: 4 },
          { name: 'a', lat: 53, lon: 5 },
        ],
        incidentAreas: [
          { name: 'netherlands', minLon: 3.3, minLat: 50.7, maxLon: 7.2, maxLat: 53.6 },
          { name: 'flipped', minLon: 5, minLat: 52, maxLon: 4.9, maxLat: 52.1 },
        ],
      },
      'google-maps': {
        routes: [
          {
            name: 'big',
            origins: Array.from({ length: 11 }, (_, i) => `o${i}`),
            destinations: Array.from({ length: 10 }, (_, i) => `d${i}`),
          },
        ],
      },
    });
    expect(issues).toEqual([
      {
        path: 'ingestors.tomtom.points[1].name',
        message: "duplicate name 'a' (first at points[0])",
        fix: 'rename it: names become record keys and must be unique',
      },
      {
        path: 'ingestors.tomtom.incidentAreas[0]',
        message: expect.stringMatching(/^the box covers about [\d,]+ km², more than the 10,000 km² TomTom accepts$/),
        fix: 'split it into smaller boxes',
      },
      {
        path: 'ingestors.tomtom.incidentAreas[1].maxLon',
        message: 'maxLon 4.9 is not greater than minLon 5',
        fix: 'swap minLon and maxLon',
      },
      {
        path: 'ingestors["google-maps"].routes[0]',
        message: '110 origin-destination pairs, more than the 100 Google allows in one request',
        fix: 'split the route into several entries',
      },
    ]);
  });

  it('gives the line of each issue when loaded from YAML', () => {
    const yaml = [
      'apiVersion: sluice/v1',
      'name: demo',
      'ingestors:',
      '  yahoo:',
      '    symbols: [GOOG]',
      "    schedule: '61 * * * *'",
    ].join('\n');
    const error = (() => {
      try {
        parseSpec(yaml, 'pipeline.yaml');
      } catch (e) {
        return e as { details?: { issues?: SpecIssue[] } };
      }
      throw new Error('no error');
    })();
    expect(error.details?.issues).toEqual([expect.objectContaining({ path: 'ingestors.yahoo.schedule', line: 6 })]);
  });
});
