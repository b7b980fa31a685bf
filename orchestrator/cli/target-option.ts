/**
 * `--target NAME` and `--targets-file PATH`, shared by plan, deploy-pipeline, sql, query and platform env:
 * which cluster a command works on (orchestrator/targets/). No `--target` (or `--target local`) is the
 * local platform of SLUICE_HOME, as always.
 */
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { log as rootLog, type Logger } from '../../lib/log';
import { createContext } from '../platform/platform';
import { LOCAL_TARGET } from '../targets/schema';
import { fileTarget, localTarget, type Target } from '../targets/target';
import { defaultTargetsFile } from '../targets/targets-file';

export interface TargetArgs {
  target?: string;
  'targets-file'?: string;
}

export function withTargetOptions<T>(y: Argv<T>): Argv<T & TargetArgs> {
  return y
    .option('target', {
      type: 'string',
      describe: `the cluster to work on: an entry of the targets file (default: ${LOCAL_TARGET}, the platform of SLUICE_HOME)`,
    })
    .option('targets-file', {
      type: 'string',
      describe: 'the targets file (default: SLUICE_TARGETS_FILE, else ~/.config/sluice/targets.yaml)',
    }) as Argv<T & TargetArgs>;
}

/** The targets file a command reads: `--targets-file`, else SLUICE_TARGETS_FILE, else the default. */
export function targetsFileOf(argv: TargetArgs, env: NodeJS.ProcessEnv = process.env): string {
  return argv['targets-file'] !== undefined ? resolve(argv['targets-file']) : defaultTargetsFile(env);
}

/** The target the arguments name; the local platform without `--target`. */
export function targetOf(argv: TargetArgs, env: NodeJS.ProcessEnv = process.env, log: Logger = rootLog): Target {
  if (argv.target === undefined || argv.target === LOCAL_TARGET) return localTarget(createContext(env, log));
  return fileTarget(targetsFileOf(argv, env), argv.target, log);
}
