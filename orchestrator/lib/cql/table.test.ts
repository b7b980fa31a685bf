/** Unit tests of CQL tables as code: splitting, parsing, type normalisation and rendering. No Cassandra. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../lib/repo';
import {
  CqlParseError,
  cqlStatements,
  parseCreateTable,
  quoteIdentifier,
  renderCreateTable,
  splitCqlStatements,
  statementKind,
} from './table';

const CQL_DIR = join(repoRoot(), 'connectors', 'cql');

describe('splitting a .cql file', () => {
  test('semicolons in strings and comments do not end a statement; comments before a statement are dropped', () => {
    const source = [
      '-- a comment; with a semicolon',
      "CREATE TABLE a (k int PRIMARY KEY) WITH comment = 'one; two';",
      '// another comment',
      '/* block; comment */ CREATE TABLE b (k int PRIMARY KEY);',
      '',
    ].join('\n');
    expect(cqlStatements(source)).toEqual([
      { text: "CREATE TABLE a (k int PRIMARY KEY) WITH comment = 'one; two'", line: 2 },
      { text: 'CREATE TABLE b (k int PRIMARY KEY)', line: 4 },
    ]);
    expect(splitCqlStatements('CREATE TABLE c (k int PRIMARY KEY)')).toEqual(['CREATE TABLE c (k int PRIMARY KEY)']);
  });

  test('an unterminated string is an error with its offset', () => {
    expect(() => cqlStatements("CREATE TABLE a (k int) WITH comment = 'open")).toThrow(CqlParseError);
  });

  test('statementKind names the first two words', () => {
    expect(statementKind('create  table x (k int primary key)')).toBe('CREATE TABLE');
    expect(statementKind("CREATE KEYSPACE k WITH replication = {'class': 'SimpleStrategy'}")).toBe('CREATE KEYSPACE');
  });
});

describe('parseCreateTable', () => {
  test('reads columns, a composite partition key, clustering order and options', () => {
    const table = parseCreateTable(`CREATE TABLE IF NOT EXISTS Sluice.Events (
      source text, hour timestamp, ts timestamp, event_id uuid, body varchar, tags frozen<map<text,  int>>, pair tuple<int,text>,
      embedding vector<float, 3>, site text STATIC,
      PRIMARY KEY ((source, hour), ts, event_id)
    ) WITH CLUSTERING ORDER BY (ts DESC, event_id ASC)
      AND default_time_to_live = 2592000
      AND compaction = {'class': 'TimeWindowCompactionStrategy', 'compaction_window_size': 1}
      AND comment = 'it''s raw'`);
    expect(table).toEqual({
      keyspace: 'sluice',
      name: 'events',
      columns: [
        { name: 'source', type: 'text', static: false },
        { name: 'hour', type: 'timestamp', static: false },
        { name: 'ts', type: 'timestamp', static: false },
        { name: 'event_id', type: 'uuid', static: false },
        { name: 'body', type: 'text', static: false },
        { name: 'tags', type: 'frozen<map<text, int>>', static: false },
        { name: 'pair', type: 'frozen<tuple<int, text>>', static: false },
        { name: 'embedding', type: 'vector<float, 3>', static: false },
        { name: 'site', type: 'text', static: true },
      ],
      partitionKey: ['source', 'hour'],
      clustering: [
        { name: 'ts', order: 'desc' },
        { name: 'event_id', order: 'asc' },
      ],
      options: {
        default_time_to_live: 2592000,
        compaction: { class: 'TimeWindowCompactionStrategy', compaction_window_size: 1 },
        comment: "it's raw",
      },
    });
  });

  test('a column-level PRIMARY KEY and quoted identifiers', () => {
    const table = parseCreateTable('CREATE TABLE t ("Key" text PRIMARY KEY, value int)');
    expect(table.partitionKey).toEqual(['Key']);
    expect(table.clustering).toEqual([]);
    expect(quoteIdentifier('Key')).toBe('"Key"');
    expect(quoteIdentifier('select')).toBe('"select"');
    expect(quoteIdentifier('user')).toBe('user');
  });

  test.each([
    ['CREATE TABLE t (k int, v int)', /no PRIMARY KEY/],
    ['CREATE TABLE t (k int, PRIMARY KEY (k, c))', /names c, which is not a column/],
    ['CREATE TABLE t (k int, c int, PRIMARY KEY (k, c)) WITH CLUSTERING ORDER BY (x DESC)', /not a clustering column/],
    ['CREATE TABLE t (k int PRIMARY KEY, k text)', /declared twice/],
    ['CREATE TABLE t (k int PRIMARY KEY) WITH COMPACT STORAGE', /COMPACT STORAGE/],
    ['CREATE TABLE t (k int PRIMARY KEY) WITH comment = ', /expected a string, a number/],
    ['CREATE TABLE t (k int PRIMARY KEY) extra', /expected the end of the statement, found 'extra'/],
  ])('refuses %s', (statement, message) => {
    expect(() => parseCreateTable(statement)).toThrow(message);
  });

  test('the offset of a syntax error points at the token it stopped at', () => {
    const statement = 'CREATE TABLE t (k int PRIMARY KEY,\n  v map<text int>)';
    try {
      parseCreateTable(statement);
      throw new Error('parsed');
    } catch (error) {
      expect(error).toBeInstanceOf(CqlParseError);
      expect(statement.slice((error as CqlParseError).offset)).toMatch(/^int>/);
    }
  });
});

describe('renderCreateTable', () => {
  test('renders what it parsed, in the given keyspace, and parses back to the same table', () => {
    const source = `CREATE TABLE other.t (k text, c timestamp, v frozen<list<text>>, s int STATIC, PRIMARY KEY ((k), c))
      WITH CLUSTERING ORDER BY (c DESC) AND gc_grace_seconds = 10800 AND compaction = {'class': 'TimeWindowCompactionStrategy'}`;
    const table = parseCreateTable(source);
    const rendered = renderCreateTable('sluice', table);
    expect(rendered).toMatchInlineSnapshot(`
"CREATE TABLE IF NOT EXISTS sluice.t (
  k text,
  c timestamp,
  v frozen<list<text>>,
  s int STATIC,
  PRIMARY KEY (k, c)
)
WITH CLUSTERING ORDER BY (c DESC)
  AND gc_grace_seconds = 10800
  AND compaction = {'class': 'TimeWindowCompactionStrategy'}"
`);
    expect(parseCreateTable(rendered)).toEqual({ ...table, keyspace: 'sluice' });
  });
});

describe('the repository tables', () => {
  const files = readdirSync(CQL_DIR).filter((f) => f.endsWith('.cql'));

  test.each(files)('%s parses, and every table is keyed by a bucket, then ts and event_id', (file) => {
    const statements = splitCqlStatements(readFileSync(join(CQL_DIR, file), 'utf8'));
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const table = parseCreateTable(statement);
      expect(table.keyspace).toBeUndefined();
      // Idempotent writes: event_id is in the key, after ts (a replayed event overwrites itself).
      expect(table.clustering).toEqual([
        { name: 'ts', order: 'desc' },
        { name: 'event_id', order: 'asc' },
      ]);
      // Bounded partitions: an hour for everything, or a day of one entity.
      expect(table.partitionKey.some((k) => k === 'hour' || k === 'day')).toBe(true);
      expect(typeof table.options.default_time_to_live).toBe('number');
    }
  });
});
