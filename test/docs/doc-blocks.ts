/**
 * Documented commands are tests (issue 11): the fenced blocks of README.md, docs/tutorials/ and
 * docs/guides/, read as the integration tests run them (test/integration/doc-commands.int.test.ts and
 * tutorial.int.test.ts), so a doc cannot drift from the product.
 *
 * Every fenced block that is not code in a known language (yaml, ts, sql, …) carries a marker on the line
 * just before it, so that no command can be added to the docs without being run or without a reason:
 *
 *   <!-- doc-test: run -->                 run it; options: exit=N (every command's status, default 0),
 *                                           unordered (output lines in any order), wait=S (see below)
 *   <!-- doc-test: output -->              what the last command of the run block before it prints
 *   <!-- doc-test: skip: <reason> -->      not run, and why (not a command, needs Docker, stops the platform …)
 *   <!-- doc-test: edit: <what> -->        tutorial only: a change to pipeline.yaml the tutorial test makes
 *   <!-- doc-test: start -->               tutorial only: `npm start`, which the tutorial test runs as `sluice up`
 *
 * A run block is either a transcript (lines `$ command`, each followed by the output the doc shows) or a
 * script (one command per line, no output shown: the command must exit with the expected status). A line
 * ending in `\` continues on the next. A command whose comment says `until Ctrl-C` runs until its shown
 * output has been printed (or, with none shown, a first line or `wait` seconds), then gets SIGINT.
 *
 * Shown output is compared with what the command prints (stdout and stderr together) line by line, with
 * runs of spaces as one: `…` in a line stands for any text, a line of `…` alone for any number of lines,
 * `<secret…>` for a secret's value. Paths and ports of the test platform are first written as the docs
 * write them (/home/dev/sluice for the repository, /home/dev/sluice/.sluice for SLUICE_HOME, 29xxx ports).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Languages whose blocks are code or data to read, not commands: they need no marker. */
export const NOT_COMMANDS = new Set(['yaml', 'yml', 'ts', 'typescript', 'js', 'javascript', 'json', 'sql', 'cql']);

export type Marker =
  | { kind: 'run'; exit: number; unordered: boolean; waitSeconds?: number; options: Record<string, string> }
  | { kind: 'output' }
  | { kind: 'skip'; reason: string }
  | { kind: 'edit'; what: string }
  | { kind: 'start' };

export interface DocBlock {
  /** Path relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  body: string[];
  marker?: Marker;
  /** Why the marker could not be read, when it could not. */
  markerError?: string;
}

export interface DocCommand {
  command: string;
  /** The output the doc shows, when it shows one. */
  expected?: string[];
  untilCtrlC: boolean;
}

const MARKER = /^\s*<!--\s*doc-test:\s*(.*?)\s*-->\s*$/;

export function parseMarker(text: string): Marker {
  const skip = /^skip:\s*(.+)$/.exec(text);
  if (skip) return { kind: 'skip', reason: skip[1]! };
  const edit = /^edit:\s*(.+)$/.exec(text);
  if (edit) return { kind: 'edit', what: edit[1]! };
  if (text === 'output') return { kind: 'output' };
  if (text === 'start') return { kind: 'start' };
  const [word, ...rest] = text.split(/\s+/);
  if (word === 'run') {
    const options: Record<string, string> = {};
    for (const option of rest) {
      const [key = '', value = 'true'] = option.split('=');
      if (!['exit', 'unordered', 'wait'].includes(key)) throw new Error(`unknown run option '${key}'`);
      options[key] = value;
    }
    return {
      kind: 'run',
      exit: options.exit === undefined ? 0 : Number(options.exit),
      unordered: options.unordered === 'true',
      ...(options.wait === undefined ? {} : { waitSeconds: Number(options.wait) }),
      options,
    };
  }
  if (word === 'skip') throw new Error("a skip needs its reason: 'skip: <why it is not run>'");
  throw new Error(`unknown marker '${text}' (run, output, skip: <reason>, edit: <what>, start)`);
}

/** Every fenced block of one Markdown text, with the marker on the line before it. */
export function parseBlocks(file: string, text: string): DocBlock[] {
  const lines = text.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++;
    const indent = open[1]!.length;
    const block: DocBlock = {
      file,
      line: i + 1,
      lang: open[2]!.toLowerCase(),
      body: lines.slice(i + 1, end).map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))),
    };
    const previous = i > 0 ? MARKER.exec(lines[i - 1]!) : null;
    if (previous) {
      try {
        block.marker = parseMarker(previous[1]!);
      } catch (error) {
        block.markerError = (error as Error).message;
      }
    }
    blocks.push(block);
    i = end;
  }
  return blocks;
}

/** README.md, docs/tutorials/*.md and docs/guides/*.md: the documents whose commands are tests. */
export function documentedFiles(root: string): string[] {
  const inDir = (dir: string) =>
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => join(dir, f));
  return ['README.md', ...inDir('docs/tutorials'), ...inDir('docs/guides')];
}

export function readBlocks(root: string, file: string): DocBlock[] {
  return parseBlocks(relative(root, join(root, file)), readFileSync(join(root, file), 'utf8'));
}

/** The blocks that need a marker: every block not in a language of NOT_COMMANDS. */
export function needsMarker(block: DocBlock): boolean {
  return !NOT_COMMANDS.has(block.lang);
}

/** What is wrong with the markers of these blocks (empty when every block is marked and readable). */
export function markerProblems(blocks: DocBlock[]): string[] {
  const problems: string[] = [];
  blocks.forEach((block, i) => {
    const where = `${block.file}:${block.line}`;
    if (block.markerError) problems.push(`${where}: ${block.markerError}`);
    else if (!block.marker && needsMarker(block))
      problems.push(`${where}: a \`\`\`${block.lang} block with no <!-- doc-test: … --> marker before it`);
    else if (block.marker?.kind === 'output') {
      const before = blocks[i - 1]?.marker?.kind;
      if (before !== 'run' && before !== 'start')
        problems.push(`${where}: an output block must follow a run (or start) block`);
    }
  });
  return problems;
}

/** The commands of a run block, with the output shown after each (transcript) or after the block. */
export function commandsOf(block: DocBlock, output?: DocBlock): DocCommand[] {
  const transcript = block.body.some((l) => l.startsWith('$ '));
  const joined: Array<{ text: string; command: boolean }> = [];
  for (const line of block.body) {
    const last = joined[joined.length - 1];
    if (last?.command && last.text.endsWith('\\')) last.text += `\n${line}`;
    else joined.push({ text: line, command: transcript ? line.startsWith('$ ') : true });
  }
  const commands: DocCommand[] = [];
  for (const { text, command } of joined) {
    if (transcript) {
      if (command) commands.push({ command: text.slice(2), expected: [], untilCtrlC: untilCtrlC(text) });
      else if (commands.length > 0) commands[commands.length - 1]!.expected!.push(text);
    } else if (text.trim() !== '' && !text.trim().startsWith('#')) {
      commands.push({ command: text, untilCtrlC: untilCtrlC(text) });
    }
  }
  for (const c of commands) {
    while (c.expected && c.expected.length > 0 && c.expected[c.expected.length - 1]!.trim() === '') c.expected.pop();
    if (c.expected?.length === 0) delete c.expected;
  }
  if (output && commands.length > 0) commands[commands.length - 1]!.expected = output.body;
  return commands;
}

function untilCtrlC(line: string): boolean {
  return /#.*until Ctrl-C/i.test(line);
}

export interface Normalise {
  repoRoot: string;
  sluiceHome: string;
  portBase: number;
}

/** The actual output as the docs write it: their paths and their port base (29000). */
export function normalise(text: string, n: Normalise): string {
  let out = text.split(n.sluiceHome).join('/home/dev/sluice/.sluice');
  out = out.split(n.repoRoot).join('/home/dev/sluice');
  out = out.replace(/\b(\d{5})\b/g, (word) => {
    const port = Number(word);
    return port >= n.portBase && port < n.portBase + 1000 ? String(29000 + port - n.portBase) : word;
  });
  return out;
}

const ELLIPSIS = '…';

function squash(line: string): string {
  return line.replace(/\s+/g, ' ').trim();
}

function lineRegex(expected: string): RegExp {
  const parts = squash(expected).split(/(…|<secret[^>]*>)/);
  const source = parts
    .map((p) => (p === ELLIPSIS ? '.*?' : p.startsWith('<secret') ? '\\S+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** Whether the actual lines match the expected ones (see the module's comment for the rules). */
export function matches(expected: string[], actual: string, options: { unordered?: boolean } = {}): boolean {
  const got = actual
    .split('\n')
    .map(squash)
    .filter((l, i, all) => l !== '' || all.slice(i).some((x) => x !== ''));
  const want = expected.map(squash);
  while (want.length > 0 && want[want.length - 1] === '') want.pop();
  if (options.unordered) return matchesUnordered(want, got);
  return matchFrom(want, 0, got, 0, new Map());
}

function matchFrom(want: string[], w: number, got: string[], g: number, memo: Map<string, boolean>): boolean {
  const key = `${w},${g}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  let result: boolean;
  if (w === want.length) result = g === got.length;
  else if (want[w] === ELLIPSIS) {
    result = false;
    for (let k = g; k <= got.length && !result; k++) result = matchFrom(want, w + 1, got, k, memo);
  } else result = g < got.length && lineRegex(want[w]!).test(got[g]!) && matchFrom(want, w + 1, got, g + 1, memo);
  memo.set(key, result);
  return result;
}

function matchesUnordered(want: string[], got: string[]): boolean {
  const open = want.includes(ELLIPSIS);
  const left = [...got];
  // The most specific lines first (the most text besides …), so that a loose line does not take theirs.
  const literal = (l: string) => l.split(ELLIPSIS).join('').length;
  const lines = want.filter((l) => l !== ELLIPSIS).sort((a, b) => literal(b) - literal(a));
  for (const line of lines) {
    const re = lineRegex(line);
    const at = left.findIndex((l) => re.test(l));
    if (at < 0) return false;
    left.splice(at, 1);
  }
  return open || left.length === 0;
}
