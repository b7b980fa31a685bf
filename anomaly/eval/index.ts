/**
 * `sluice eval anomaly`: the detectors on NAB (scored as NAB scores) and on the simulators' labelled
 * anomalies, with results written where NAB's own tools can read them. docs/guides/anomaly-detection.md
 * explains both evaluations and how to reproduce docs/benchmarks.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceError } from '../../lib/errors';
import { createDetector, type DetectorSpec, type StatisticalSpec } from '../detectors';
import { RandomBaseline, WindowedGaussianBaseline } from './nab/baselines';
import { readNabCorpus, type NabCorpus } from './nab/corpus';
import { writeJson } from './nab/results';
import { runNab, type NabCandidate, type NabResult } from './nab/run';
import { runSimulatorEval, type SimulatorRun } from './simulators/run';

/** The detectors evaluated, by name: each with its defaults, as the service would build it. */
export const EVAL_DETECTORS: Readonly<Record<string, StatisticalSpec[]>> = {
  'robust-z': [{ kind: 'robust-z' }],
  ewma: [{ kind: 'ewma' }],
  seasonal: [{ kind: 'seasonal' }],
  ensemble: [{ kind: 'robust-z' }, { kind: 'ewma' }, { kind: 'seasonal' }],
};

export const EVAL_DETECTOR_NAMES = Object.keys(EVAL_DETECTORS);

/** What NAB runs for a name: the detector itself, or the ensemble with its defaults. */
export function nabSpec(name: string): DetectorSpec {
  return name === 'ensemble'
    ? { kind: 'ensemble' }
    : ((EVAL_DETECTORS[name] as StatisticalSpec[])[0] as StatisticalSpec);
}

export interface EvalOptions {
  nabData: string;
  nabWindows: string;
  outDir: string;
  /** A name of EVAL_DETECTORS, or 'all'. */
  detector: string;
  simulators: boolean;
  /** NAB's random and windowed Gaussian detectors, for reading the scores. */
  baselines: boolean;
  seed: number;
  simHours: number;
  onProgress?: (line: string) => void;
}

export interface EvalReport {
  nab: {
    corpus: Pick<NabCorpus, 'unlabelled' | 'missing'> & { files: number; rows: number; windows: number };
    results: NabResult[];
    baselines: string[];
  };
  simulators?: SimulatorRun;
}

export function selectDetectors(name: string): string[] {
  if (name === 'all') return EVAL_DETECTOR_NAMES;
  if (!EVAL_DETECTOR_NAMES.includes(name)) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', `there is no detector '${name}' to evaluate`, {
      path: '--detector',
      fix: `use one of: all, ${EVAL_DETECTOR_NAMES.join(', ')}`,
    });
  }
  return [name];
}

export function evaluate(options: EvalOptions): EvalReport {
  const names = selectDetectors(options.detector);
  const corpus = readNabCorpus(options.nabData, options.nabWindows);
  const candidates: NabCandidate[] = names.map((name) => ({ name, create: () => createDetector(nabSpec(name)) }));
  const baselines = options.baselines ? ['random', 'windowed-gaussian'] : [];
  if (options.baselines) {
    candidates.push({ name: 'random', create: (file) => new RandomBaseline(`${options.seed}/${file.path}`) });
    candidates.push({ name: 'windowed-gaussian', create: () => new WindowedGaussianBaseline() });
  }
  const results = runNab(corpus, candidates, {
    outDir: options.outDir,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const report: EvalReport = {
    nab: {
      corpus: {
        files: corpus.files.length,
        rows: corpus.files.reduce((n, f) => n + f.values.length, 0),
        windows: corpus.files.reduce((n, f) => n + f.windows.length, 0),
        unlabelled: corpus.unlabelled,
        missing: corpus.missing,
      },
      results,
      baselines,
    },
  };
  if (options.simulators) {
    const run = runSimulatorEval(
      names.map((name) => ({ name, members: EVAL_DETECTORS[name] as StatisticalSpec[] })),
      {
        seed: options.seed,
        hours: options.simHours,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      },
    );
    report.simulators = run;
    writeSimulatorResults(options.outDir, run);
  }
  return report;
}

function writeSimulatorResults(outDir: string, run: SimulatorRun): void {
  writeJson(join(outDir, 'simulators.json'), {
    ...run,
    results: run.results.map(({ incidents: _incidents, ...rest }) => rest),
  });
  const lines = ['detector,source,key,start,end,alerts,metrics,labels'];
  for (const r of run.results) {
    for (const i of r.incidents) {
      lines.push(
        [
          r.detector,
          i.source,
          JSON.stringify(i.key),
          new Date(i.start).toISOString(),
          new Date(i.end).toISOString(),
          i.alerts,
          i.metrics.join('+'),
          i.labels.join('+'),
        ].join(','),
      );
    }
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'simulator-incidents.csv'), `${lines.join('\n')}\n`);
}
