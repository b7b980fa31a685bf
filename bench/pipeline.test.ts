import { bestStep, renderPipeline, splitRate, type PipelineResult, type StepResult } from './pipeline';
import { LADDER_DEFAULTS } from './pipeline/ladder';
import { judgeLag } from './pipeline/judge';

const step = (asked: number, measured: number, sustained: boolean): StepResult => ({
  asked,
  measured,
  perSource: splitRate(asked),
  consumers: [
    {
      consumer: 'flink/iot-windows',
      topics: ['iot.readings'],
      inputRate: measured / 4,
      judgement: judgeLag(
        [0, 1, 2].map((i) => ({ t: i * 10_000, records: sustained ? 10 : 1e6 })),
        measured / 4,
      ),
    },
  ],
  usage: [{ stage: 'kafka', cores: 0.8, rssBytes: 3 * 2 ** 30, processes: 3 }],
  sustained,
  reasons: sustained ? [] : ['flink/iot-windows behind'],
  restarts: [],
  simulatorWarnings: [],
  seconds: 120,
  loadAverage: 3,
});

describe('splitRate', () => {
  it('mixes the sources as the demo does (web 10 : IoT 5 : finance 5)', () => {
    expect(splitRate(1000)).toEqual({ web: 500, iot: 250, finance: 250 });
    expect(splitRate(2)).toEqual({ web: 1, iot: 1, finance: 1 });
  });
});

describe('bestStep and renderPipeline', () => {
  const result: PipelineResult = {
    options: {
      stepSeconds: 120,
      sampleSeconds: 10,
      ladder: LADDER_DEFAULTS,
      budgetSeconds: 30,
      ingestRecords: 100_000,
      drainSeconds: 600,
    },
    steps: [step(250, 268, true), step(500, 515, true), step(1000, 1010, false)],
    producerPerformance: 10_300,
    demoRate: 20,
    logDir: '/tmp/x',
  };

  it('reports the sustained step with the highest measured rate, its ratio to raw ingest, and says the steps were short', () => {
    expect(bestStep(result.steps)?.asked).toBe(500);
    const text = renderPipeline(result);
    expect(text).toContain('SHORTER than the 600 s per step issue 13 asks');
    expect(text).toContain('Sustained: 515 events/s measured');
    expect(text).toContain('pipeline ÷ raw ingest = 0.050');
    expect(text).toContain('| kafka | 0.80 | 3.00 | 3 |');
    expect(text).toContain('not sustained: flink/iot-windows behind');
    expect(renderPipeline({ ...result, options: { ...result.options, stepSeconds: 600 } })).not.toContain('SHORTER');
  });

  it('says so when no step held', () => {
    expect(renderPipeline({ ...result, steps: [step(250, 260, false)] })).toContain('No step was sustained.');
  });
});
