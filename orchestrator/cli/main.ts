/** The `sluice` command line. Command modules are written by hand, one per file. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isSluiceError, messageOf } from '../../lib/errors';
import { alertsCommand, anomalyCommand } from './anomaly';
import { ingestCommand } from './ingest';
import { evalCommand } from './eval';
import { deployPipelineCommand, planCommand } from './pipeline';
import { platformCommand } from './platform';
import { simulateCommand } from './simulate';
import { queryCommand, sqlCommand } from './sql';
import { downCommand, upCommand } from './up';

export async function main(argv: string[]): Promise<number> {
  let exitCode: number;
  try {
    await yargs(argv)
      .scriptName('sluice')
      .command(upCommand)
      .command(downCommand)
      .command(platformCommand)
      .command(planCommand)
      .command(deployPipelineCommand)
      .command(simulateCommand)
      .command(ingestCommand)
      .command(sqlCommand)
      .command(queryCommand)
      .command(evalCommand)
      .command(anomalyCommand)
      .command(alertsCommand)
      .demandCommand(1, 'name a command; see --help')
      .strict()
      .fail((message, error) => {
        throw error ?? new Error(message);
      })
      .help()
      .parseAsync();
    exitCode = process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    process.stderr.write(`${isSluiceError(error) ? error.describe() : `error: ${messageOf(error)}`}\n`);
    exitCode = 1;
  }
  return exitCode;
}

if (require.main === module) {
  main(hideBin(process.argv)).then((code) => process.exit(code));
}
