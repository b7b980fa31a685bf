/** The command line's own words: unknown commands and what --help says (issue 11 item 5). No platform. */
import yargs, { type CommandModule } from 'yargs';
import { components } from '../platform/platform';
import { commandNames, subcommandsOf, unknownCommand } from './commands';
import { main } from './main';
import { deployPipelineCommand, planCommand } from './pipeline';
import { platformCommand } from './platform';

const TOP = [planCommand, deployPipelineCommand, platformCommand] as CommandModule[];

/** What `sluice <args> --help` prints, without exiting. */
function helpOf(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let cli = yargs().scriptName('sluice').exitProcess(false);
    for (const command of TOP) cli = cli.command(command);
    void cli.help().parse([...args, '--help'], {}, (error, _argv, output) => (error ? reject(error) : resolve(output)));
  });
}

describe('unknown commands', () => {
  it.each([
    ['deploy', "Unknown command 'deploy': did you mean deploy-pipeline? (sluice --help lists the commands)"],
    [
      'dpeloy-pipeline',
      "Unknown command 'dpeloy-pipeline': did you mean deploy-pipeline? (sluice --help lists the commands)",
    ],
    ['platfrom', "Unknown command 'platfrom': did you mean platform? (sluice --help lists the commands)"],
  ])('%s', (word, message) => {
    expect(unknownCommand([word], TOP)).toBe(message);
  });

  it('suggests within a command that has subcommands', () => {
    expect(unknownCommand(['platform', 'lgs', 'kafka-1'], TOP)).toBe(
      "Unknown command 'lgs': did you mean platform logs? (sluice platform --help lists the commands)",
    );
  });

  it('names the commands when none is close, and never suggests a hidden one', () => {
    expect(unknownCommand(['xyzzy'], TOP)).toBe(
      "Unknown command 'xyzzy': sluice has plan, deploy-pipeline, platform (sluice --help)",
    );
    expect(unknownCommand(['platform', 'superv'], TOP)).not.toMatch(/supervise/);
  });

  it('accepts every command, alias, hidden command and the arguments after a command (the controls)', () => {
    for (const args of [
      ['plan', '--prune'],
      ['apply'],
      ['deploy-pipeline', '--spec', 'x.yaml'],
      ['platform', 'logs', 'kafka-1', '-n', '5'],
      ['platform', 'up', 'kafka-1', 'registry'],
      ['platform', 'supervise'],
      ['--help'],
      [],
    ])
      expect(unknownCommand(args, TOP)).toBeUndefined();
  });

  it('reads names, aliases and subcommands from the modules', () => {
    expect(commandNames(deployPipelineCommand as CommandModule)).toEqual(['deploy-pipeline', 'apply']);
    expect(subcommandsOf(platformCommand).flatMap((c) => commandNames(c))).toEqual([
      'up',
      'down',
      'status',
      'logs',
      'reset',
      'env',
      'supervise',
      'install',
      'run',
      'health',
    ]);
    expect(subcommandsOf(planCommand as CommandModule)).toEqual([]);
  });

  it('sluice deploy exits 1 with the suggestion', async () => {
    let stderr = '';
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
    try {
      expect(await main(['deploy'])).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(stderr).toBe(
      "error: Unknown command 'deploy': did you mean deploy-pipeline? (sluice --help lists the commands)\n",
    );
  });
});

describe('--help says what each option does for that command', () => {
  it('plan --prune only shows; deploy-pipeline --prune deletes', async () => {
    const plan = (await helpOf(['plan'])).replace(/\s+/g, ' ');
    expect(plan).toMatch(/--prune show what deploy-pipeline --prune would delete .*; plan itself deletes nothing/);
    expect(plan).toMatch(/--verbose also list the resources that need no change/);
    const deploy = (await helpOf(['deploy-pipeline'])).replace(/\s+/g, ' ');
    expect(deploy).toMatch(
      /--prune also delete what Sluice made that the spec no longer declares: .*principals \(with their secret and client files\)/,
    );
    expect(deploy).not.toMatch(/plan itself/);
  });

  it('platform logs --help lists the components', async () => {
    const help = (await helpOf(['platform', 'logs'])).replace(/\s+/g, ' ');
    for (const name of [...components.map((c) => c.name), 'supervisor']) expect(help).toContain(name);
    expect(help).toMatch(/component one of: kafka-1, kafka-2, kafka-3,/);
  });
});
