/**
 * The SQL shell of `sluice sql`: statements typed (or piped) one after the other, each ended by `;`, run
 * in one SQL Gateway session where every table of the spec is defined for reading. Only results and
 * errors reach the screen: no logs, no table statements (they carry no secret anyway: see
 * orchestrator/platform/components/flink-query.ts), and an error is one line with its position; the whole
 * Flink trace follows it only with --verbose. A SELECT prints its rows as they come; Ctrl-C ends it and
 * returns to the prompt (it cancels the query's job); Ctrl-C at the prompt drops the statement being
 * typed; QUIT;, EXIT; or Ctrl-D leaves.
 */
import { createInterface } from 'node:readline';
import { isSluiceError, messageOf } from '../../lib/errors';
import type { HttpFlinkAdmin, QueryRow } from '../clients/flink';
import { splitStatements, withoutComments } from '../lib/sql/statements';

export interface ShellOptions {
  flink: HttpFlinkAdmin;
  /** Table statements (templates), then the query session's own statements. */
  tables: string[];
  setup: string[];
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  errors: NodeJS.WritableStream;
  verbose: boolean;
  /** Printed once the tables are defined. */
  banner: string;
}

const HELP = `Statements end with ';' and may span lines. Examples:
  SHOW TABLES;                         the tables of the spec (and SHOW VIEWS;)
  DESCRIBE agg_iot_site_1m;            a table's columns
  SELECT * FROM agg_iot_site_1m;       rows as they come (op +I insert, -U/+U update, -D delete); Ctrl-C ends it
QUIT; or Ctrl-D leaves. Tables are read as the read-only principal sluice-query, from the earliest record.`;

/** Whether the text typed so far ends a statement: its last character outside comments is ';'. */
export function endsStatement(text: string): boolean {
  return withoutComments(text).trimEnd().endsWith(';');
}

const QUERY = /^\s*(SELECT|WITH|VALUES|\()/i;

/** One line from an error, and with `verbose` the whole trace after it. */
export function describeError(error: unknown, verbose: boolean): string {
  const message = isSluiceError(error) ? error.message : messageOf(error);
  const trace = isSluiceError(error) ? error.details?.trace : undefined;
  return `[ERROR] ${message}${verbose && typeof trace === 'string' && trace ? `\n${trace}` : ''}\n`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Runs the shell until its input ends; resolves with the exit code (1 when a piped statement failed). */
export async function runShell(options: ShellOptions): Promise<number> {
  const { flink, output, errors, verbose } = options;
  const write = (text: string) => output.write(text);
  const session = await flink.openSession();
  let failed = false;
  let running: AbortController | undefined;
  const interactive = (options.input as { isTTY?: boolean }).isTTY === true;
  try {
    await flink.defineTables(session, options.tables);
    for (const statement of options.setup) await flink.execute(session, statement, 'query setup');
  } catch (error) {
    errors.write(describeError(error, verbose));
    await flink.closeSession(session);
    return 1;
  }
  // Made only now, and iterated at once: lines read before the loop starts would be lost.
  const rl = createInterface({ input: options.input, output, terminal: (output as { isTTY?: boolean }).isTTY });
  const lines = rl[Symbol.asyncIterator]();
  try {
    write(`${options.banner}\n`);
    let buffer = '';
    const prompt = () => {
      rl.setPrompt(buffer ? '        -> ' : 'sluice sql> ');
      rl.prompt();
    };
    rl.on('SIGINT', () => {
      if (running) running.abort();
      else {
        buffer = '';
        write('\n');
        prompt();
      }
    });
    const onSignal = () => {
      if (running) running.abort();
      else rl.close();
    };
    process.on('SIGINT', onSignal);
    prompt();
    try {
      for (let next = await lines.next(); !next.done; next = await lines.next()) {
        const line = next.value;
        buffer += `${line}\n`;
        if (!endsStatement(buffer)) {
          prompt();
          continue;
        }
        const statements = splitStatements(buffer);
        buffer = '';
        for (const statement of statements) {
          const code = withoutComments(statement).trim();
          if (/^(QUIT|EXIT)$/i.test(code)) return failed ? 1 : 0;
          if (/^HELP$/i.test(code)) {
            write(`${HELP}\n`);
            continue;
          }
          const query = QUERY.test(code);
          running = new AbortController();
          let rows = 0;
          try {
            await flink.stream(
              session,
              statement,
              (row: QueryRow) => {
                rows += 1;
                const values = Object.values(row.values).map(cell);
                const op =
                  { INSERT: '+I', UPDATE_BEFORE: '-U', UPDATE_AFTER: '+U', DELETE: '-D' }[row.kind] ?? row.kind;
                write(`${(query ? [op, ...values] : values).join('\t')}\n`);
              },
              running.signal,
              (columns) => {
                if (query) write(`${['op', ...columns].join('\t')}\n`);
              },
            );
            if (query) write(`(${rows} row${rows === 1 ? '' : 's'}${running.signal.aborted ? ', stopped' : ''})\n`);
          } catch (error) {
            failed = true;
            errors.write(describeError(error, verbose));
          } finally {
            running = undefined;
          }
        }
        prompt();
      }
    } finally {
      process.off('SIGINT', onSignal);
    }
    if (interactive) write('\n');
    return failed && !interactive ? 1 : 0;
  } finally {
    rl.close();
    await flink.closeSession(session);
  }
}
