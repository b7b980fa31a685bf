/**
 * `sluice eval anomaly`: scores the anomaly detectors on the NAB corpus and on the simulators' labelled
 * anomalies, prints the tables, and writes NAB-layout results under --out.
 */
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { SluiceError } from '../../lib/errors';
import { repoRoot } from '../../lib/repo';
import { EVAL_DETECTOR_NAMES, evaluate } from '../../anomaly/eval';
import { renderReport } from '../../anomaly/eval/report';

interface EvalAnomalyArgs {
  'nab-data': string;
  'nab-windows': string;
  out: string;
  detector: string;
  simulators: boolean;
  baselines: boolean;
  seed: number;
  'sim-hours': number;
  folds: number;
}

const anomalyCommand: CommandModule<object, EvalAnomalyArgs> = {
  command: 'anomaly',
  describe:
    "Score the anomaly detectors on NAB (cross-validated, as NAB scores) and on the simulators' labelled anomalies",
  builder: (y) =>
    y
      .option('nab-data', {
        type: 'string',
        default: '../shared/data/nab/data',
        describe: 'NAB data directory (category folders of CSVs); relative to the repository root',
      })
      .option('nab-windows', {
        type: 'string',
        default: '../shared/data/nab/combined_windows.json',
        describe: "NAB's combined_windows.json; relative to the repository root",
      })
      .option('out', {
        type: 'string',
        default: '.sluice/eval',
        describe: 'where results go (NAB layout); relative to the repository root',
      })
      .option('detector', {
        type: 'string',
        default: 'all',
        describe: `all, or one of: ${EVAL_DETECTOR_NAMES.join(', ')}`,
      })
      .option('simulators', {
        type: 'boolean',
        default: true,
        describe: 'also score on the simulators (--no-simulators: NAB only)',
      })
      .option('baselines', {
        type: 'boolean',
        default: true,
        describe: "also run NAB's random and windowed Gaussian detectors, for reading the scores",
      })
      .option('folds', {
        type: 'number',
        default: 4,
        describe: 'folds of the NAB cross-validation (files dealt by category)',
      })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the simulators (and of the random baseline)' })
      .option('sim-hours', { type: 'number', default: 24, describe: 'simulated hours' }) as never,
  handler: (argv) => {
    if (!Number.isInteger(argv.folds) || argv.folds < 2) {
      throw new SluiceError(
        'SLUICE_CONFIG_INVALID',
        `--folds must be an integer of at least 2, got ${String(argv.folds)}`,
        {
          path: '--folds',
          fix: 'use e.g. --folds 4 (each fold is held out once)',
        },
      );
    }
    for (const name of ['seed', 'sim-hours'] as const) {
      const v = argv[name];
      if (!Number.isFinite(v) || (name === 'sim-hours' ? v < 2 : !Number.isSafeInteger(v))) {
        throw new SluiceError(
          'SLUICE_CONFIG_INVALID',
          `--${name} must be ${name === 'seed' ? 'an integer' : 'at least 2 (the first hour is for learning)'}, got ${String(v)}`,
          {
            path: `--${name}`,
            fix: name === 'seed' ? 'use an integer such as --seed 1' : 'use e.g. --sim-hours 24',
          },
        );
      }
    }
    const root = repoRoot();
    const report = evaluate({
      nabData: resolve(root, argv['nab-data']),
      nabWindows: resolve(root, argv['nab-windows']),
      outDir: resolve(root, argv.out),
      detector: argv.detector,
      simulators: argv.simulators,
      baselines: argv.baselines,
      seed: argv.seed,
      simHours: argv['sim-hours'],
      folds: argv.folds,
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`${renderReport(report)}\n\nResults (NAB layout) in ${resolve(root, argv.out)}\n`);
  },
};

export const evalCommand: CommandModule = {
  command: 'eval <target>',
  describe: 'Evaluate a part of the platform: anomaly (the anomaly detectors on NAB and the simulators)',
  builder: (y: Argv) => y.command(anomalyCommand).demandCommand(1, 'name what to evaluate: anomaly'),
  handler: () => undefined,
};
