/**
 * What a query session (`sluice query`, `sluice sql`) changes about the spec's tables, without touching
 * their statements (every statement of sql.tables is part of each job's version, so the jobs' SQL stays
 * byte for byte what deploy-pipeline submitted):
 *   - every `kafka` table reads from the earliest retained record, as group `sluice-query`, and commits
 *     no offsets: the output tables set no startup mode, and Flink's default (the group's committed
 *     offsets) needs a group id they do not have; the sources' group is the jobs' own;
 *   - the login and the registry come from the query placeholders (orchestrator/platform/components/
 *     flink-query.ts): the read-only principal `sluice-query`, the registry without credentials.
 * And how a Flink error reads on a terminal: one line, with the position when Flink gives one.
 */
import { withoutComments } from './statements';

/** The consumer group id of every query's Kafka tables (nothing is committed to it). */
export const QUERY_GROUP = 'sluice-query';

export interface KafkaTable {
  /** The table's name as written in its CREATE TABLE (backquotes removed). */
  name: string;
  connector: 'kafka' | 'upsert-kafka';
  /** Its topic, when the statement names one literally. */
  topic?: string;
}

const CREATE_TABLE = /^\s*CREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(`(?:[^`]|``)+`|[\w.]+)/i;

const optionOf = (code: string, key: string): string | undefined =>
  new RegExp(`'${key.replace(/\./g, '\\.')}'\\s*=\\s*'((?:[^']|'')*)'`).exec(code)?.[1]?.replace(/''/g, "'");

/** The Kafka tables among table statements (views and other connectors are left out). */
export function kafkaTables(statements: readonly string[]): KafkaTable[] {
  return statements.flatMap((statement) => {
    const code = withoutComments(statement);
    const name = CREATE_TABLE.exec(code)?.[1];
    const connector = optionOf(code, 'connector');
    if (!name || (connector !== 'kafka' && connector !== 'upsert-kafka')) return [];
    const topic = optionOf(code, 'topic');
    return [{ name: name.replace(/^`|`$/g, '').replace(/``/g, '`'), connector, ...(topic ? { topic } : {}) }];
  });
}

const quoteName = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

/**
 * The statements a query session runs after the table statements: `ALTER TABLE … SET` on every `kafka`
 * table (an upsert-kafka table always reads its whole topic and has no startup mode).
 */
export function queryTableStatements(statements: readonly string[], group = QUERY_GROUP): string[] {
  return kafkaTables(statements)
    .filter((t) => t.connector === 'kafka')
    .map(
      (t) =>
        `ALTER TABLE ${quoteName(t.name)} SET ('scan.startup.mode' = 'earliest-offset', 'properties.group.id' = '${group}', 'properties.commit.offsets.on.checkpoint' = 'false')`,
    );
}

/** The topics the Kafka tables read: what the query principal must be allowed to read. */
export function queriedTopics(statements: readonly string[]): string[] {
  return [...new Set(kafkaTables(statements).flatMap((t) => (t.topic ? [t.topic] : [])))].sort();
}

/**
 * One line from a Flink error (a Java stack trace as the gateway returns it): the innermost cause's
 * message, its exception class dropped, and the position in the statement when any cause gives one
 * ("line 1, column 10: Encountered "+ <EOF>""), without Calcite's list of what it was expecting.
 */
export function sqlErrorLine(trace: string): string {
  const causes = trace
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('Caused by:'))
    .map((l) => l.replace(/^Caused by:\s*/, '').replace(/^[\w.$]+(?:Exception|Error):\s*/, ''));
  const first = trace.split('\n').find((l) => l.trim() && !l.trim().startsWith('at '));
  let message = (causes.at(-1) ?? first ?? trace).trim();
  const position = [...causes, message]
    .map((c) => /(?:From\s+)?line (\d+), column (\d+)/i.exec(c))
    .find((m) => m !== null);
  // Drop the position from the message itself, then say it once in front.
  message = message
    .replace(/^SQL (?:parse|validation) failed\.\s*/i, '')
    .replace(/^From line \d+, column \d+ to line \d+, column \d+:\s*/i, '')
    .replace(/\s*at line \d+, column \d+\.?/i, '')
    .trim();
  const line = position ? `line ${position[1]}, column ${position[2]}: ${message}` : message;
  return line.slice(0, 800);
}
