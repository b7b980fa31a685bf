/** `sluice ingest` end to end without a platform: --dry-run against a local server speaking Open-Meteo. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, serve } from '../../producers/apis/testing/fixture-server';
import { main } from './main';

describe('sluice ingest', () => {
  let dir: string;
  let out: string[];
  let err: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-ingest-'));
    writeFileSync(
      join(dir, 'pipeline.yaml'),
      [
        'apiVersion: sluice/v1',
        'name: ingest-test',
        'ingestors:',
        '  open-meteo:',
        '    points: [{ name: amsterdam, lat: 52.37, lon: 4.89 }, { name: london, lat: 51.51, lon: -0.13 }]',
        '  openaq:',
        '    locations: [2178]',
      ].join('\n'),
    );
    out = [];
    err = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  });

  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('--once --dry-run prints one JSON line per record, from --base-url, without keys or Kafka', async () => {
    await serve(
      [{ path: '/v1/forecast', reply: { body: fixture('open-meteo-forecast-current.json') } }],
      async (server) => {
        const code = await main([
          'ingest',
          'open-meteo',
          '--once',
          '--dry-run',
          '--base-url',
          server.url,
          '--spec',
          join(dir, 'pipeline.yaml'),
          '--env-file',
          join(dir, 'none.env'),
        ]);
        expect(code).toBe(0);
        const records = out
          .join('')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { topic: string; key: string; value: Record<string, unknown> });
        expect(records.map((r) => [r.topic, r.key, r.value.temperature_c])).toEqual([
          ['api.weather', 'open-meteo:amsterdam', 23.9],
          ['api.weather', 'open-meteo:london', 23.9],
        ]);
        expect(err.join('')).toMatch(
          /ingest-open-meteo: 2 requests, 2 records, 0 repeats dropped, 0 dead letters, 0 errors/,
        );
      },
    );
  });

  it('refuses an ingestor whose key is missing, naming the variable, before any request', async () => {
    const code = await main([
      'ingest',
      'openaq',
      '--once',
      '--dry-run',
      '--spec',
      join(dir, 'pipeline.yaml'),
      '--env-file',
      join(dir, 'none.env'),
    ]);
    expect(code).toBe(1);
    expect(err.join('')).toMatch(
      /^SLUICE_API_KEY_MISSING: the openaq ingestor \(OpenAQ v3\) is disabled: SLUICE_OPENAQ_API_KEY is not set/m,
    );
  });

  it('reads the key from --env-file, and exits 1 when the poll failed for good', async () => {
    writeFileSync(join(dir, 'keys.env'), 'SLUICE_OPENAQ_API_KEY=from-the-env-file-123456\n');
    const previous = process.env.SLUICE_OPENAQ_API_KEY;
    delete process.env.SLUICE_OPENAQ_API_KEY;
    try {
      await serve([{ path: /.*/, reply: { status: 401, body: fixture('openaq-error-401.json') } }], async (server) => {
        const code = await main([
          'ingest',
          'openaq',
          '--once',
          '--dry-run',
          '--base-url',
          server.url,
          '--spec',
          join(dir, 'pipeline.yaml'),
          '--env-file',
          join(dir, 'keys.env'),
        ]);
        expect(code).toBe(1);
        expect(server.requests[0]!.headers['x-api-key']).toBe('from-the-env-file-123456');
        expect(err.join('')).toMatch(/1 errors \(unauthorized 1\)/);
        expect(err.join('')).not.toContain('from-the-env-file-123456');
      });
    } finally {
      if (previous === undefined) delete process.env.SLUICE_OPENAQ_API_KEY;
      else process.env.SLUICE_OPENAQ_API_KEY = previous;
    }
  });
});
