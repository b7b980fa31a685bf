/** The `sluice` command line. Command modules are written by hand, one per file. */
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isSluiceError, messageOf } from '../../lib/errors';
import { alertsCommand, anomalyCommand } from './anomaly';
import { ingestCommand } from './ingest';
import { evalCommand } from './eval';
import { deployPipelineCommand, planCommand } from './pipeline';
import { platformCommand } from './platform';
import { simulateCommand } from './simulate';
import { queryCommand, sqlCommand } from './sql';
import { topologyCommand } from './topology';
import { downCommand, upCommand } from './up';
import { unknownCommand } from './commands';
import { exitWhenFlushed } from './exit';

export { exitWhenFlushed };

const COMMANDS = [
  upCommand,
  downCommand,
  platformCommand,
  planCommand,
  deployPipelineCommand,
  simulateCommand,
  ingestCommand,
  sqlCommand,
  queryCommand,
  evalCommand,
  anomalyCommand,
  alertsCommand,
  topologyCommand,
];

export async function main(argv: string[]): Promise<number> {
  let exitCode: number;
  try {
    // `sluice deploy`: the nearest command, rather than yargs' "Unknown argument: deploy".
    const unknown = unknownCommand(argv, COMMANDS);
    if (unknown) throw new Error(unknown);
    let cli = yargs(argv).scriptName('sluice');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each module has its own argument shape
    for (const command of COMMANDS) cli = cli.command(command as CommandModule<any, any>);
    await cli
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
  main(hideBin(process.argv)).then((code) => exitWhenFlushed(code));
}
