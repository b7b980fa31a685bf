/**
 * CQL table definitions as code: splits a .cql file into statements, parses `CREATE TABLE` into a typed
 * definition (columns, primary key, clustering order, options), and renders definitions back as CQL.
 * Types are normalised to the form Cassandra prints in system_schema.columns (`varchar` is `text`,
 * `map<text, int>` with one space), so a definition can be compared with what Cassandra has.
 * Only what tables as code need is understood; anything else is refused with the token it stopped at.
 */

export type CqlScalar = string | number | boolean;
/** A table option's value: a scalar (`default_time_to_live = 2592000`) or a map (`compaction = {…}`). */
export type CqlOptionValue = CqlScalar | Record<string, CqlScalar>;

export interface CqlColumn {
  name: string;
  /** Normalised CQL type. */
  type: string;
  static: boolean;
}

export interface CqlTable {
  /** Present when the statement names one (`CREATE TABLE sluice.x`). */
  keyspace?: string;
  name: string;
  /** In declaration order. */
  columns: CqlColumn[];
  partitionKey: string[];
  clustering: Array<{ name: string; order: 'asc' | 'desc' }>;
  /** `WITH` options other than CLUSTERING ORDER BY, names lower-case. */
  options: Record<string, CqlOptionValue>;
}

export class CqlParseError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'CqlParseError';
  }
}

type TokenKind = 'ident' | 'quoted' | 'string' | 'number' | 'punct';

interface Token {
  kind: TokenKind;
  /** Identifiers: lower-cased unless quoted; strings: unescaped. */
  value: string;
  /** As written. */
  text: string;
  offset: number;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (/\s/.test(c)) {
      i += 1;
    } else if ((c === '-' && next === '-') || (c === '/' && next === '/')) {
      const end = source.indexOf('\n', i);
      i = end === -1 ? source.length : end + 1;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end === -1) throw new CqlParseError('unterminated /* comment', i);
      i = end + 2;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= source.length)
          throw new CqlParseError(`unterminated ${c === "'" ? 'string' : 'quoted identifier'}`, i);
        if (source[j] === c) {
          if (source[j + 1] === c) {
            value += c;
            j += 2;
            continue;
          }
          break;
        }
        value += source[j];
        j += 1;
      }
      tokens.push({ kind: c === "'" ? 'string' : 'quoted', value, text: source.slice(i, j + 1), offset: i });
      i = j + 1;
    } else if (c === '$' && next === '$') {
      const end = source.indexOf('$$', i + 2);
      if (end === -1) throw new CqlParseError('unterminated $$ string', i);
      tokens.push({ kind: 'string', value: source.slice(i + 2, end), text: source.slice(i, end + 2), offset: i });
      i = end + 2;
    } else if (/[0-9]/.test(c) || (c === '-' && next !== undefined && /[0-9]/.test(next))) {
      const match = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(source.slice(i))!;
      tokens.push({ kind: 'number', value: match[0], text: match[0], offset: i });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))!;
      tokens.push({ kind: 'ident', value: match[0].toLowerCase(), text: match[0], offset: i });
      i += match[0].length;
    } else if ('(),<>.=;{}:[]?'.includes(c)) {
      tokens.push({ kind: 'punct', value: c, text: c, offset: i });
      i += 1;
    } else {
      throw new CqlParseError(`unexpected character '${c}'`, i);
    }
  }
  return tokens;
}

export interface CqlStatement {
  /** From its first token to the end of its last; comments inside it are kept (the parser skips them). */
  text: string;
  /** 1-based line of its first token in the file. */
  line: number;
}

/**
 * The statements of a .cql file, without the comments before them and the `;` that ends them; semicolons
 * inside strings and comments do not count. Throws CqlParseError for an unterminated string or comment.
 */
export function cqlStatements(source: string): CqlStatement[] {
  const tokens = tokenize(source);
  const statements: CqlStatement[] = [];
  const lineAt = (offset: number) => source.slice(0, offset).split('\n').length;
  let start: number | undefined;
  let end = 0;
  for (const token of tokens) {
    if (token.kind === 'punct' && token.value === ';') {
      if (start !== undefined) statements.push({ text: source.slice(start, end), line: lineAt(start) });
      start = undefined;
    } else {
      start ??= token.offset;
      end = token.offset + token.text.length;
    }
  }
  if (start !== undefined) statements.push({ text: source.slice(start, end), line: lineAt(start) });
  return statements;
}

export function splitCqlStatements(source: string): string[] {
  return cqlStatements(source).map((s) => s.text);
}

/** The line (1-based) of `offset` within `text`. */
export function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** Table options deploy-pipeline converges (the columns of system_schema.tables with these names). */
export const MANAGED_TABLE_OPTIONS = [
  'bloom_filter_fp_chance',
  'caching',
  'comment',
  'compaction',
  'compression',
  'default_time_to_live',
  'gc_grace_seconds',
  'memtable_flush_period_in_ms',
  'speculative_retry',
] as const;

const TYPE_ALIASES: Record<string, string> = { varchar: 'text' };

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  private peek(ahead = 0): Token | undefined {
    return this.tokens[this.at + ahead];
  }

  private where(token: Token | undefined): string {
    return token ? `'${token.text}'` : 'the end of the statement';
  }

  private fail(expected: string): never {
    const token = this.peek();
    throw new CqlParseError(`expected ${expected}, found ${this.where(token)}`, token?.offset ?? this.source.length);
  }

  private isWord(word: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token?.kind === 'ident' && token.value === word;
  }

  private isPunct(p: string): boolean {
    const token = this.peek();
    return token?.kind === 'punct' && token.value === p;
  }

  private word(word: string): void {
    if (!this.isWord(word)) this.fail(word.toUpperCase());
    this.at += 1;
  }

  private punct(p: string): void {
    if (!this.isPunct(p)) this.fail(`'${p}'`);
    this.at += 1;
  }

  private identifier(what: string): string {
    const token = this.peek();
    if (token?.kind === 'ident' || token?.kind === 'quoted') {
      this.at += 1;
      return token.value;
    }
    return this.fail(what);
  }

  done(): boolean {
    return this.at >= this.tokens.length;
  }

  /** `map<text, frozen<list<int>>>`, normalised. */
  private type(): string {
    const base = this.identifier('a column type');
    const name = TYPE_ALIASES[base] ?? base;
    if (!this.isPunct('<')) return name;
    this.punct('<');
    const args: string[] = [];
    for (;;) {
      const token = this.peek();
      // vector<float, 3>
      if (token?.kind === 'number') {
        this.at += 1;
        args.push(token.value);
      } else args.push(this.type());
      if (this.isPunct(',')) {
        this.punct(',');
        continue;
      }
      break;
    }
    this.punct('>');
    const text = `${name}<${args.join(', ')}>`;
    // Cassandra stores tuples frozen whether or not the statement says so.
    return name === 'tuple' ? `frozen<${text}>` : text;
  }

  private scalar(): CqlScalar {
    const token = this.peek();
    if (token?.kind === 'string') {
      this.at += 1;
      return token.value;
    }
    if (token?.kind === 'number') {
      this.at += 1;
      return Number(token.value);
    }
    if (token?.kind === 'ident' && (token.value === 'true' || token.value === 'false')) {
      this.at += 1;
      return token.value === 'true';
    }
    return this.fail('a string, a number, true or false');
  }

  private optionValue(): CqlOptionValue {
    if (!this.isPunct('{')) return this.scalar();
    this.punct('{');
    const map: Record<string, CqlScalar> = {};
    while (!this.isPunct('}')) {
      const key = this.scalar();
      this.punct(':');
      map[String(key)] = this.scalar();
      if (this.isPunct(',')) this.punct(',');
      else break;
    }
    this.punct('}');
    return map;
  }

  private nameList(): string[] {
    this.punct('(');
    const names = [this.identifier('a column name')];
    while (this.isPunct(',')) {
      this.punct(',');
      names.push(this.identifier('a column name'));
    }
    this.punct(')');
    return names;
  }

  createTable(): CqlTable {
    this.word('create');
    if (this.isWord('columnfamily')) this.word('columnfamily');
    else this.word('table');
    if (this.isWord('if')) {
      this.word('if');
      this.word('not');
      this.word('exists');
    }
    let keyspace: string | undefined;
    let name = this.identifier('a table name');
    if (this.isPunct('.')) {
      this.punct('.');
      keyspace = name;
      name = this.identifier('a table name');
    }
    this.punct('(');
    const columns: CqlColumn[] = [];
    let partitionKey: string[] | undefined;
    let clusteringNames: string[] = [];
    for (;;) {
      if (this.isWord('primary') && this.isWord('key', 1)) {
        if (partitionKey) this.fail('one PRIMARY KEY');
        this.word('primary');
        this.word('key');
        this.punct('(');
        partitionKey = this.isPunct('(') ? this.nameList() : [this.identifier('a partition key column')];
        while (this.isPunct(',')) {
          this.punct(',');
          clusteringNames.push(this.identifier('a clustering column'));
        }
        this.punct(')');
      } else {
        const column = this.identifier('a column name');
        const type = this.type();
        let isStatic = false;
        if (this.isWord('static')) {
          this.word('static');
          isStatic = true;
        }
        if (this.isWord('primary')) {
          this.word('primary');
          this.word('key');
          if (partitionKey) this.fail('one PRIMARY KEY');
          partitionKey = [column];
          clusteringNames = [];
        }
        columns.push({ name: column, type, static: isStatic });
      }
      if (this.isPunct(',')) {
        this.punct(',');
        if (this.isPunct(')')) break; // a trailing comma
        continue;
      }
      break;
    }
    this.punct(')');

    const orders = new Map<string, 'asc' | 'desc'>();
    const options: Record<string, CqlOptionValue> = {};
    if (this.isWord('with')) {
      this.word('with');
      for (;;) {
        if (this.isWord('clustering')) {
          this.word('clustering');
          this.word('order');
          this.word('by');
          this.punct('(');
          for (;;) {
            const column = this.identifier('a clustering column');
            let order: 'asc' | 'desc' = 'asc';
            if (this.isWord('asc') || this.isWord('desc')) order = this.identifier('ASC or DESC') as 'asc' | 'desc';
            orders.set(column, order);
            if (!this.isPunct(',')) break;
            this.punct(',');
          }
          this.punct(')');
        } else if (this.isWord('compact')) {
          throw new CqlParseError('COMPACT STORAGE is not supported (Cassandra 4 dropped it)', this.peek()!.offset);
        } else {
          const option = this.identifier('a table option');
          this.punct('=');
          options[option] = this.optionValue();
        }
        if (!this.isWord('and')) break;
        this.word('and');
      }
    }
    if (!this.done()) this.fail('the end of the statement');

    if (!partitionKey) throw new CqlParseError(`table ${name} has no PRIMARY KEY`, 0);
    const declared = new Set(columns.map((c) => c.name));
    for (const key of [...partitionKey, ...clusteringNames]) {
      if (!declared.has(key)) throw new CqlParseError(`PRIMARY KEY names ${key}, which is not a column of ${name}`, 0);
    }
    const clustering = clusteringNames.map((c) => ({ name: c, order: orders.get(c) ?? 'asc' }));
    const unknown = [...orders.keys()].filter((c) => !clusteringNames.includes(c));
    if (unknown.length)
      throw new CqlParseError(`CLUSTERING ORDER BY names ${unknown.join(', ')}, not a clustering column of ${name}`, 0);
    const orderNames = [...orders.keys()];
    if (orderNames.some((c, i) => clusteringNames[i] !== c)) {
      throw new CqlParseError(
        `CLUSTERING ORDER BY must list the clustering columns in key order (${clusteringNames.join(', ')})`,
        0,
      );
    }
    const seen = new Set<string>();
    for (const column of columns) {
      if (seen.has(column.name)) throw new CqlParseError(`column ${column.name} is declared twice`, 0);
      seen.add(column.name);
    }
    return { ...(keyspace ? { keyspace } : {}), name, columns, partitionKey, clustering, options };
  }
}

/** The first word of a statement, upper-case (`CREATE`), and the second (`TABLE`), to say what it is. */
export function statementKind(statement: string): string {
  const words = tokenize(statement)
    .filter((t) => t.kind === 'ident')
    .slice(0, 2)
    .map((t) => t.text.toUpperCase());
  return words.join(' ');
}

/** Parses one `CREATE TABLE` statement (without its `;`). Throws CqlParseError saying where it stopped. */
export function parseCreateTable(statement: string): CqlTable {
  const parser = new Parser(tokenize(statement), statement);
  return parser.createTable();
}

// Words CQL reserves: a column with one of these names must be quoted.
const RESERVED = new Set(
  (
    'add allow alter and apply asc authorize batch begin by columnfamily create default delete desc describe drop entries execute ' +
    'from full grant if in index infinity insert into is keyspace limit materialized mbean mbeans modify nan norecursive not null of on ' +
    'or order primary rename replace revoke schema select set table to token truncate unlogged unset update use using view where with'
  ).split(' '),
);

/** An identifier as CQL needs it written: bare when it is lower-case and not reserved, else quoted. */
export function quoteIdentifier(name: string): string {
  return /^[a-z][a-z0-9_]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function cqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function renderScalar(value: CqlScalar): string {
  return typeof value === 'string' ? cqlString(value) : String(value);
}

export function renderOptionValue(value: CqlOptionValue): string {
  if (typeof value !== 'object') return renderScalar(value);
  return `{${Object.entries(value)
    .map(([k, v]) => `${cqlString(k)}: ${renderScalar(v)}`)
    .join(', ')}}`;
}

/** `WITH a = 1 AND b = {…}`-style list, without the WITH. */
export function renderOptions(options: Record<string, CqlOptionValue>): string {
  return Object.entries(options)
    .map(([k, v]) => `${k} = ${renderOptionValue(v)}`)
    .join('\n  AND ');
}

/** A `CREATE TABLE IF NOT EXISTS` for `table` in `keyspace` (the keyspace the statement named is ignored). */
export function renderCreateTable(keyspace: string, table: CqlTable): string {
  const q = quoteIdentifier;
  const columns = table.columns.map((c) => `  ${q(c.name)} ${c.type}${c.static ? ' STATIC' : ''}`);
  const partition =
    table.partitionKey.length === 1 ? q(table.partitionKey[0]!) : `(${table.partitionKey.map(q).join(', ')})`;
  const key = [partition, ...table.clustering.map((c) => q(c.name))].join(', ');
  const withParts: string[] = [];
  if (table.clustering.length)
    withParts.push(
      `CLUSTERING ORDER BY (${table.clustering.map((c) => `${q(c.name)} ${c.order.toUpperCase()}`).join(', ')})`,
    );
  if (Object.keys(table.options).length) withParts.push(renderOptions(table.options));
  return [
    `CREATE TABLE IF NOT EXISTS ${q(keyspace)}.${q(table.name)} (`,
    `${columns.join(',\n')},`,
    `  PRIMARY KEY (${key})`,
    `)${withParts.length ? `\nWITH ${withParts.join('\n  AND ')}` : ''}`,
  ].join('\n');
}
