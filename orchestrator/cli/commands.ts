/**
 * "Unknown command 'deploy': did you mean deploy-pipeline?" yargs' own recommendCommands() suggests only
 * names within 3 edits (deploy-pipeline is 9 from deploy), and a misspelt subcommand (`platform lgs`)
 * reaches it as a missing argument. So the command line is checked against the command modules before
 * yargs parses it, down through the commands that have subcommands.
 */
import type { Argv, CommandModule } from 'yargs';
import { closest } from '../../lib/suggest';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- command modules of any argument shape
type AnyCommand = CommandModule<any, any>;

const nameOf = (module: AnyCommand): string | undefined => {
  const command = Array.isArray(module.command) ? module.command[0] : module.command;
  return typeof command === 'string' ? command.split(/\s+/, 1)[0] : undefined;
};

/** The module's name and aliases. */
export function commandNames(module: AnyCommand): string[] {
  const aliases = module.aliases === undefined ? [] : Array.isArray(module.aliases) ? module.aliases : [module.aliases];
  return [nameOf(module), ...aliases].filter((n): n is string => n !== undefined && n !== '$0' && n !== '*');
}

/**
 * The subcommands a module's builder declares: the builder runs against a stand-in that records
 * `.command(…)` calls and answers every other call with itself (nothing is parsed or printed).
 */
export function subcommandsOf(module: AnyCommand): AnyCommand[] {
  if (typeof module.builder !== 'function') return [];
  const found: AnyCommand[] = [];
  const recorder: Argv = new Proxy({} as Argv, {
    get: (_target, key) =>
      key === 'then'
        ? undefined
        : (...args: unknown[]) => {
            if (key === 'command' && typeof args[0] === 'object' && args[0] !== null) found.push(args[0] as AnyCommand);
            return recorder;
          },
  });
  try {
    module.builder(recorder);
  } catch {
    // A builder that needs a real yargs has no subcommands this check can see: yargs judges its words.
    return [];
  }
  return found;
}

/** The message for the first word of `argv` that names no command where one is expected, if any. */
export function unknownCommand(
  argv: readonly string[],
  modules: readonly AnyCommand[],
  scriptName = 'sluice',
): string | undefined {
  let level = modules;
  const path: string[] = [];
  for (const word of argv) {
    if (word.startsWith('-') || level.length === 0) return undefined;
    const module = level.find((m) => commandNames(m).includes(word));
    if (!module) {
      // Hidden commands (describe: false) are accepted above, never suggested.
      const visible = level.filter((m) => m.describe !== false).flatMap((m) => commandNames(m).slice(0, 1));
      const prefixed = visible.filter((name) => name.startsWith(word) || word.startsWith(name));
      const meant = prefixed.length === 1 ? prefixed[0] : closest(word, visible);
      const where = [scriptName, ...path].join(' ');
      return meant
        ? `Unknown command '${word}': did you mean ${[...path, meant].join(' ')}? (${where} --help lists the commands)`
        : `Unknown command '${word}': ${where} has ${visible.join(', ')} (${where} --help)`;
    }
    path.push(word);
    level = subcommandsOf(module);
  }
  return undefined;
}
