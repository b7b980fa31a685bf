import { isSluiceError } from '../../../lib/errors';
import { createLogger } from '../../../lib/log';
import { createIngestRunner } from '../index';
import { FakeClock } from '../testing/fake-clock';
import { ManualScheduler } from '../testing/manual-scheduler';
import { fixture, serve } from '../testing/fixture-server';
import { ingestorsSpec, rig } from '../testing/setup';
import { Backoff } from './backoff';
import { ApiHttp } from './http';
import { RateLimiter } from './rate-limit';
import { ingestRecord } from './records';
import { IngestRunner } from './runner';
import { MemoryDeadLetters, MemorySink } from './sinks';
import { IngestStats } from './stats';
import type { PollingIngestor } from './types';

const quiet = createLogger({ write: () => undefined });

describe('IngestRunner', () => {
  it('sends a record that does not match its Avro schema to the dead letters, with the field named', async () => {
    const clock = new FakeClock();
    const ingestor: PollingIngestor = {
      kind: 'poll',
      descriptor: {
        name: 'yahoo',
        title: 'test',
        defaultBaseUrl: 'http://127.0.0.1:9',
        limits: [{ limit: 10, perMs: 1000 }],
        topics: ['api.market-bars'],
        principal: 'ingest-yahoo',
      },
      schedule: '* * * * *',
      targets: () => [
        {
          id: 'chart/BAD',
          fetch: async () => ({
            records: [
              ingestRecord(
                'api.market-bars',
                'yahoo:BAD:1d',
                {
                  source: 'yahoo',
                  ts: 1,
                  ingest_ts: 1,
                  symbol: 'BAD',
                  interval: '1d',
                  open: 1,
                  high: 1,
                  low: 1,
                  close: 'one',
                  volume: null,
                  adj_close: null,
                  currency: null,
                },
                { identity: 'x', timestamp: 1 },
              ),
            ],
            rejects: [],
          }),
        },
      ],
    };
    const http = new ApiHttp({
      api: 'yahoo',
      baseUrl: 'http://127.0.0.1:9',
      limiter: new RateLimiter([{ limit: 10, perMs: 1000 }], clock),
      backoff: new Backoff(),
      clock,
    });
    const sink = new MemorySink();
    const deadLetters = new MemoryDeadLetters();
    const runner = new IngestRunner({
      ingestor,
      http,
      sink,
      deadLetters,
      stats: new IngestStats('yahoo'),
      clock,
      log: quiet,
    });
    await runner.poll();
    expect(sink.records).toEqual([]);
    expect(deadLetters.letters.map((l) => [l.reason, l.field, l.topic, l.message])).toEqual([
      [
        'schema-mismatch',
        'close',
        'api.market-bars',
        'yahoo: record for api.market-bars does not match its Avro schema: close="one"',
      ],
    ]);
  });

  it('polls at once and then on every tick of its schedule, until stopped', async () => {
    await serve(
      [{ path: '/v1/forecast', reply: { body: fixture('open-meteo-forecast-current.json') } }],
      async (server) => {
        const { runner } = rig(
          'open-meteo',
          { schedule: '*/5 * * * *', points: [{ name: 'p', lat: 1, lon: 2 }] },
          server,
          { env: {} },
        );
        const scheduler = new ManualScheduler();
        const controller = new AbortController();
        const running = runner.run(scheduler, controller.signal);
        await scheduler.fire(3);
        controller.abort();
        await running;
        expect([scheduler.expression, scheduler.stopped, server.requests.length, runner.stats.polls]).toEqual([
          '*/5 * * * *',
          true,
          4,
          4,
        ]);
      },
    );
  });
});

describe('createIngestRunner', () => {
  const setup = { sink: new MemorySink(), deadLetters: new MemoryDeadLetters(), log: quiet };

  it('disables an ingestor whose key is missing, saying which variable to set and where to get a key', () => {
    const error = (() => {
      try {
        createIngestRunner({
          ...setup,
          api: 'openaq',
          ingestors: ingestorsSpec('openaq', { locations: [1] }),
          env: {},
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isSluiceError(error, 'SLUICE_API_KEY_MISSING')).toBe(true);
    expect((error as Error).message).toBe(
      'the openaq ingestor (OpenAQ v3) is disabled: SLUICE_OPENAQ_API_KEY is not set',
    );
    expect((error as { fix?: string }).fix).toMatch(/^put SLUICE_OPENAQ_API_KEY=<key> in \.env .*explore\.openaq\.org/);
  });

  it('needs no key for Open-Meteo and Yahoo, and refuses an API the spec does not declare or disables', () => {
    expect(() =>
      createIngestRunner({ ...setup, api: 'yahoo', ingestors: ingestorsSpec('yahoo', { symbols: ['GOOG'] }), env: {} }),
    ).not.toThrow();
    expect(() =>
      createIngestRunner({
        ...setup,
        api: 'open-meteo',
        ingestors: ingestorsSpec('open-meteo', { points: [{ name: 'p', lat: 1, lon: 2 }] }),
        env: {},
      }),
    ).not.toThrow();
    expect(() => createIngestRunner({ ...setup, api: 'tomtom', ingestors: {}, env: {} })).toThrow(
      /the spec has no ingestors.tomtom entry/,
    );
    expect(() =>
      createIngestRunner({
        ...setup,
        api: 'yahoo',
        ingestors: ingestorsSpec('yahoo', { symbols: ['GOOG'], enabled: false }),
      }),
    ).toThrow(/ingestors.yahoo is disabled/);
  });
});
