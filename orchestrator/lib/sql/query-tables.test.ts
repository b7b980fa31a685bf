import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../lib/repo';
import { kafkaTables, queriedTopics, queryTableStatements, sqlErrorLine } from './query-tables';
import { splitStatements } from './statements';

const tables = splitStatements(`
-- a source
CREATE TABLE readings (x STRING) WITH (
  'connector' = 'kafka', 'topic' = 'iot.readings', 'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset', \${KAFKA});
CREATE TABLE \`ref devices\` (x STRING, PRIMARY KEY (x) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 'ref.devices');
CREATE VIEW v AS SELECT * FROM readings;
CREATE TABLE agg_site (x STRING) WITH ('connector' = 'kafka', 'topic' = 'agg.iot.site-1m', \${EXACTLY_ONCE});
CREATE TABLE printed (x STRING) WITH ('connector' = 'print');
`);

describe('query tables', () => {
  it('finds the Kafka tables and their topics, not views or other connectors', () => {
    expect(kafkaTables(tables)).toEqual([
      { name: 'readings', connector: 'kafka', topic: 'iot.readings' },
      { name: 'ref devices', connector: 'upsert-kafka', topic: 'ref.devices' },
      { name: 'agg_site', connector: 'kafka', topic: 'agg.iot.site-1m' },
    ]);
    expect(queriedTopics(tables)).toEqual(['agg.iot.site-1m', 'iot.readings', 'ref.devices']);
  });

  it('reads every kafka table from the earliest record in the query group, committing nothing', () => {
    expect(queryTableStatements(tables)).toEqual([
      "ALTER TABLE `readings` SET ('scan.startup.mode' = 'earliest-offset', 'properties.group.id' = 'sluice-query', 'properties.commit.offsets.on.checkpoint' = 'false')",
      "ALTER TABLE `agg_site` SET ('scan.startup.mode' = 'earliest-offset', 'properties.group.id' = 'sluice-query', 'properties.commit.offsets.on.checkpoint' = 'false')",
    ]);
  });

  it("covers every output table of the repository's SQL", () => {
    const statements = splitStatements(readFileSync(join(repoRoot(), 'sql', '030-outputs.sql'), 'utf8'));
    const outputs = kafkaTables(statements);
    expect(outputs.length).toBeGreaterThanOrEqual(19);
    expect(outputs.map((t) => t.name)).toContain('agg_iot_site_1m');
    expect(queryTableStatements(statements)).toHaveLength(outputs.length);
  });
});

describe('sqlErrorLine', () => {
  const trace = (...causes: string[]) =>
    [
      'org.apache.flink.runtime.rest.handler.RestHandlerException: Failed to fetchResults.',
      '\tat org.apache.flink.table.gateway.rest.handler.statement.FetchResultsHandler.handleRequest(FetchResultsHandler.java:91)',
      ...causes.flatMap((c) => [`Caused by: ${c}`, '\tat somewhere(Somewhere.java:1)']),
    ].join('\n');

  it('says where a parse error is, without the list of expected tokens', () => {
    expect(
      sqlErrorLine(
        trace(
          'org.apache.flink.table.api.SqlParserException: SQL parse failed. Encountered "+ <EOF>" at line 1, column 10.',
          'org.apache.flink.sql.parser.impl.ParseException: Encountered "+ <EOF>" at line 1, column 10.\nWas expecting one of:\n    <EOF> \n    "AS" ...',
        ),
      ),
    ).toBe('line 1, column 10: Encountered "+ <EOF>"');
  });

  it('takes the position from an outer cause when the innermost has none', () => {
    expect(
      sqlErrorLine(
        trace(
          "org.apache.flink.table.api.ValidationException: SQL validation failed. From line 1, column 15 to line 1, column 18: Object 'nope' not found",
          "org.apache.calcite.sql.validate.SqlValidatorException: Object 'nope' not found",
        ),
      ),
    ).toBe("line 1, column 15: Object 'nope' not found");
  });

  it('gives the reason alone when Flink names no position', () => {
    expect(
      sqlErrorLine(
        trace('org.apache.calcite.runtime.CalciteException: Non-query expression encountered in illegal context'),
      ),
    ).toBe('Non-query expression encountered in illegal context');
  });
});
