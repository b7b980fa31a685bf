/**
 * `sluice eval anomaly`: the detectors on NAB (scored as NAB scores) and on the simulators' labelled
 * anomalies, with results written where NAB's own tools can read them. docs/guides/anomaly-detection.md
 * explains both evaluations and how to reproduce docs/benchmarks.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceError } from '../../lib/errors';
import { DEFAULT_DETECTOR, createDetector, type DetectorSpec, type StatisticalSpec } from '../detectors';
import { RandomBaseline, WindowedGaussianBaseline } from './nab/baselines';
import { readNabCorpus, type NabCorpus } from './nab/corpus';
import { crossValidate, type CvFamily, type CvResult } from './nab/crossval';
import { NAB_FAMILIES, NAB_FAMILY_NAMES } from './nab/families';
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

/** What `--detector` takes: the cross-validated families (the simulators run those of EVAL_DETECTORS). */
export const EVAL_DETECTOR_NAMES = NAB_FAMILY_NAMES;

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
  /** Folds of the NAB cross-validation. Default 4. */
  folds?: number;
  onProgress?: (line: string) => void;
}

export interface CrossValidation {
  k: number;
  /** The files of each fold. */
  folds: string[][];
  results: CvResult[];
  /** Family → what it is, for the report. */
  about: Record<string, string>;
  /** The family with the best mean held-out standard score, with the setting it picks on every file. */
  best?: { family: string; setting: string; threshold: number; mean: number };
  /** Why there is no cross-validation (too few files), when there is none. */
  skipped?: string;
}

export interface EvalReport {
  nab: {
    corpus: Pick<NabCorpus, 'unlabelled' | 'missing'> & {
      files: number;
      rows: number;
      windows: number;
      /** Rows whose timestamp is not later than an earlier row's (scored in file order, not learned). */
      outOfOrderRows: number;
    };
    crossValidation: CrossValidation;
    /** Whole-corpus runs (threshold chosen on all files): the service's default detector and the baselines. */
    results: NabResult[];
    baselines: string[];
    /** The detector the service uses when a spec names none. */
    defaultDetector: DetectorSpec;
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

function runCrossValidation(corpus: NabCorpus, names: string[], options: EvalOptions): CrossValidation {
  const about: Record<string, string> = {};
  const families: CvFamily[] = NAB_FAMILIES.filter((f) => names.includes(f.name)).map((f) => {
    about[f.name] = f.about;
    return {
      name: f.name,
      settings: f.settings.map((spec) => ({
        label: settingLabel(spec),
        options: spec as unknown,
        create: () => createDetector(spec),
      })),
    };
  });
  if (options.baselines) {
    about['random'] = "NAB's random detector (seeded per file)";
    about['windowed-gaussian'] = "NAB's windowed Gaussian";
    families.push(
      {
        name: 'random',
        settings: [
          {
            label: `seed ${options.seed}`,
            options: null,
            create: (file) => new RandomBaseline(`${options.seed}/${file.path}`),
          },
        ],
      },
      {
        name: 'windowed-gaussian',
        settings: [{ label: 'window 6400', options: null, create: () => new WindowedGaussianBaseline() }],
      },
    );
  }
  const k = options.folds ?? 4;
  if (corpus.files.length < k) {
    return {
      k,
      folds: [],
      results: [],
      about,
      skipped: `${k}-fold cross-validation needs at least ${k} files; the corpus has ${corpus.files.length}`,
    };
  }
  const cv = crossValidate(corpus.files, families, {
    k,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const folds = Array.from({ length: cv.k }, (_, fold) =>
    corpus.files.filter((_, i) => cv.folds[i] === fold).map((f) => f.path),
  );
  const detectors = cv.results.filter((r) => names.includes(r.detector));
  const top = [...detectors].sort((a, b) => b.profiles.standard.mean - a.profiles.standard.mean)[0];
  return {
    k: cv.k,
    folds,
    results: cv.results,
    about,
    ...(top
      ? {
          best: {
            family: top.detector,
            setting: top.profiles.standard.chosen.setting,
            threshold: top.profiles.standard.chosen.threshold,
            mean: top.profiles.standard.mean,
          },
        }
      : {}),
  };
}

/** A setting as the report prints it: the spec's options without its kind. */
export function settingLabel(spec: DetectorSpec): string {
  const { kind, ...options } = spec as unknown as Record<string, unknown>;
  const text = JSON.stringify(options).replace(/"([A-Za-z]+)":/g, '$1:');
  return text === '{}' ? `${String(kind)} defaults` : `${String(kind)} ${text}`;
}

export function evaluate(options: EvalOptions): EvalReport {
  const names = selectDetectors(options.detector);
  const corpus = readNabCorpus(options.nabData, options.nabWindows);
  const crossValidation = runCrossValidation(corpus, names, options);
  const candidates: NabCandidate[] = [{ name: 'default', create: () => createDetector(DEFAULT_DETECTOR) }];
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
        outOfOrderRows: corpus.files.reduce((n, f) => n + f.outOfOrder, 0),
        unlabelled: corpus.unlabelled,
        missing: corpus.missing,
      },
      crossValidation,
      results,
      baselines,
      defaultDetector: DEFAULT_DETECTOR,
    },
  };
  writeJson(join(options.outDir, 'crossvalidation.json'), crossValidation);
  const simulated = names.filter((name) => name in EVAL_DETECTORS);
  if (options.simulators && simulated.length > 0) {
    const run = runSimulatorEval(
      simulated.map((name) => ({ name, members: EVAL_DETECTORS[name] as StatisticalSpec[] })),
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
