/**
 * The key tables of docs/spec-reference.md, generated from the assembled schema. The page's prose is
 * written by hand; each table sits between two markers that name what it shows:
 *
 *   <!-- generated: keys #/definitions/topic -->            the keys of one object
 *   <!-- generated: keys #/properties/sql prefix=sql -->    the same, nested objects and lists of objects
 *                                                           flattened (`sql.jobs[].name`); `collapse=a,b`
 *                                                           leaves those definitions as one row, `only=a,b`
 *                                                           shows only those keys
 *   <!-- generated: ingestors -->                           one row per API ingestor
 *   <!-- end generated -->
 *
 * Everything between a start marker and the next end marker is replaced; text outside them is kept.
 */

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

const START = /^<!-- generated: (.+?) -->$/;
const END = '<!-- end generated -->';

interface Row {
  key: string;
  type: string;
  required: string;
  default: string;
  description: string;
  constraints: string;
}

class Reference {
  constructor(private readonly root: Node) {}

  resolve(node: Node): Node {
    const ref = node.$ref;
    if (typeof ref !== 'string') return node;
    let target: unknown = this.root;
    for (const key of ref.replace(/^#\//, '').split('/')) target = isNode(target) ? target[key] : undefined;
    if (!isNode(target)) throw new Error(`$ref ${ref} points nowhere`);
    return this.resolve(target);
  }

  at(pointer: string): Node {
    if (pointer === '#') return this.root;
    return this.resolve({ $ref: pointer });
  }

  /** The definition name of a `$ref` node (`#/definitions/topic` → topic), if it is one. */
  refName(node: Node): string | undefined {
    return typeof node.$ref === 'string' ? node.$ref.split('/').pop() : undefined;
  }

  typeText(node: Node): string {
    const target = this.resolve(node);
    if ('const' in target || Array.isArray(target.enum)) return 'string';
    const type = target.type;
    if (Array.isArray(type)) return type.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
    if (type === 'array') {
      const items = isNode(target.items) ? target.items : {};
      const named = this.refName(items);
      const item = this.resolve(items);
      if (named && isNode(item.properties)) return `list of ${words(named)}`;
      const inner = this.typeText(items);
      return `list of ${inner === 'mapping' ? 'mappings' : `${inner}s`}`;
    }
    if (type === 'object' || isNode(target.properties)) return 'mapping';
    return TYPE_WORDS[String(type)] ?? String(type);
  }

  constraints(node: Node, inner = false): string[] {
    const target = this.resolve(node);
    const out: string[] = [];
    if ('const' in target) out.push(`exactly ${code(target.const)}`);
    if (Array.isArray(target.enum)) out.push(`one of ${target.enum.map(code).join(', ')}`);
    if (typeof target.pattern === 'string') {
      const why = typeof target.patternErrorMessage === 'string' ? ` (else: ${target.patternErrorMessage})` : '';
      out.push(`matches ${code(target.pattern)}${why}`);
    }
    if (isNode(target.not) && typeof target.not.pattern === 'string') out.push(`not ${code(target.not.pattern)}`);
    const range = rangeText(target);
    if (range) out.push(range);
    if (typeof target.minLength === 'number' && target.minLength > 0)
      out.push(target.minLength === 1 ? 'not empty' : `at least ${target.minLength} characters`);
    if (typeof target.maxLength === 'number') out.push(`at most ${target.maxLength} characters`);
    if (typeof target.minItems === 'number')
      out.push(target.minItems === 1 ? 'at least one' : `at least ${target.minItems} items`);
    if (typeof target.maxItems === 'number') out.push(`at most ${target.maxItems} items`);
    if (target.uniqueItems === true) out.push('no duplicates');
    if (isNode(target.propertyNames) && typeof target.propertyNames.pattern === 'string')
      out.push(`keys ${code(target.propertyNames.pattern)}`);
    // What the loader checks beyond the schema (the schema's `x-checks`, for this page only).
    if (typeof node['x-checks'] === 'string') out.push(node['x-checks']);
    if (target.type === 'array' && isNode(target.items) && !inner) {
      const items = this.resolve(target.items);
      if (!isNode(items.properties)) {
        const each = this.constraints(target.items, true);
        if (each.length) out.push(`each ${each.join(', ')}`);
      }
    }
    return out;
  }

  /** The rows of an object's keys; nested objects and lists of objects flattened under `prefix`. */
  rows(node: Node, prefix: string | undefined, collapse: ReadonlySet<string>, only?: ReadonlySet<string>): Row[] {
    const target = this.resolve(node);
    const required = new Set(Array.isArray(target.required) ? (target.required as string[]) : []);
    const out: Row[] = [];
    for (const [key, child] of Object.entries((target.properties ?? {}) as Record<string, Node>)) {
      if (only && !only.has(key)) continue;
      const resolved = this.resolve(child);
      const path = prefix === undefined ? key : `${prefix}.${key}`;
      const description = textOf(child.description ?? resolved.description);
      out.push({
        key: code(path),
        type: this.typeText(child),
        required: required.has(key) ? 'yes' : 'no',
        default: 'default' in child ? code(child.default) : 'default' in resolved ? code(resolved.default) : '–',
        description,
        constraints: this.constraints(child).join('; ') || '–',
      });
      if (prefix === undefined) continue;
      const name = this.refName(child);
      if (name && collapse.has(name)) continue;
      if (isNode(resolved.properties)) out.push(...this.rows(resolved, path, collapse));
      else if (resolved.type === 'array' && isNode(resolved.items)) {
        const itemName = this.refName(resolved.items);
        const item = this.resolve(resolved.items);
        if (isNode(item.properties) && !(itemName && collapse.has(itemName)))
          out.push(...this.rows(item, `${path}[]`, collapse));
      }
    }
    return out;
  }

  keysTable(args: string[]): string {
    const [pointer, ...options] = args;
    if (!pointer) throw new Error('a keys table needs a JSON pointer: <!-- generated: keys #/definitions/topic -->');
    const option = (name: string): string | undefined =>
      options.find((o) => o.startsWith(`${name}=`))?.slice(name.length + 1);
    const collapse = new Set((option('collapse') ?? '').split(',').filter(Boolean));
    const only = option('only');
    const rows = this.rows(this.at(pointer), option('prefix'), collapse, only ? new Set(only.split(',')) : undefined);
    return table(
      ['Key', 'Type', 'Required', 'Default', 'Description', 'Constraints'],
      rows.map((r) => [r.key, r.type, r.required, r.default, r.description, r.constraints]),
    );
  }

  ingestorsTable(): string {
    const section = this.at('#/properties/ingestors');
    const rows: string[][] = [];
    for (const [api, entry] of Object.entries((section.properties ?? {}) as Record<string, Node>)) {
      const definition = this.resolve(entry);
      const required = new Set(Array.isArray(definition.required) ? (definition.required as string[]) : []);
      const keys: string[] = [];
      let schedule = '– (a stream)';
      for (const [key, child] of Object.entries((definition.properties ?? {}) as Record<string, Node>)) {
        if (key === 'schedule') schedule = 'default' in child ? code(child.default) : '–';
        if (key === 'enabled' || key === 'schedule' || key === 'baseUrl') continue;
        const resolved = this.resolve(child);
        const given = required.has(key)
          ? 'required'
          : 'default' in child || 'default' in resolved
            ? code(child.default ?? resolved.default)
            : 'optional';
        const limits = this.constraints(child).filter(
          (c) => !c.startsWith('matches ') && !c.startsWith('each matches '),
        );
        keys.push(`${code(key)} (${given})${limits.length ? `: ${limits.join(', ')}` : ''}`);
      }
      rows.push([code(api), keys.join('; '), schedule]);
    }
    return table(['Entry', 'Keys (default)', 'Default schedule'], rows);
  }

  render(spec: string): string {
    const [kind, ...args] = spec.split(/\s+/);
    if (kind === 'keys') return this.keysTable(args);
    if (kind === 'ingestors') return this.ingestorsTable();
    throw new Error(`unknown generated block '${spec}' (keys <pointer> [prefix=…] [collapse=…], ingestors)`);
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: 'string',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  object: 'mapping',
  array: 'list',
};

function rangeText(node: Node): string | undefined {
  const low = typeof node.minimum === 'number' ? node.minimum : undefined;
  const high = typeof node.maximum === 'number' ? node.maximum : undefined;
  const above = typeof node.exclusiveMinimum === 'number' ? node.exclusiveMinimum : undefined;
  const below = typeof node.exclusiveMaximum === 'number' ? node.exclusiveMaximum : undefined;
  if (low !== undefined && high !== undefined) return `${low} to ${high}`;
  const parts = [
    low !== undefined ? `at least ${low}` : '',
    above !== undefined ? `above ${above}` : '',
    high !== undefined ? `at most ${high}` : '',
    below !== undefined ? `below ${below}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' and ') : undefined;
}

/** `openMeteoIngestor` → `open meteo ingestor`. */
function words(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/** A value as inline code, YAML flow style for lists and mappings; pipes escaped for the table. */
function code(value: unknown): string {
  const text = typeof value === 'string' ? value : flow(value);
  return `\`${text.replace(/\|/g, '\\|')}\``;
}

function flow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (isNode(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${flow(v)}`)
      .join(', ')}}`;
  return String(value);
}

function textOf(description: unknown): string {
  return typeof description === 'string' ? description.replace(/\|/g, '\\|').replace(/\s+/g, ' ') : '';
}

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/**
 * The page with every generated block rewritten from the schema. A start marker without its end, or
 * a block the generator does not know, is an error rather than a page left half done.
 */
export function renderReference(schema: Record<string, unknown>, page: string): string {
  const reference = new Reference(schema);
  const lines = page.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const start = START.exec(line.trim());
    if (!start) {
      out.push(line);
      continue;
    }
    const end = lines.findIndex((l, j) => j > i && l.trim() === END);
    if (end < 0) throw new Error(`docs: '${line.trim()}' (line ${i + 1}) has no '${END}' after it`);
    out.push(line, reference.render(start[1]!), lines[end]!);
    i = end;
  }
  return out.join('\n');
}
