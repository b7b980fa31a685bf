/**
 * Files a spec names are relative to the spec's own folder (docs/spec-reference.md). A copy of
 * pipeline.yaml somewhere else finds none of them: that is one mistake, so it is one issue that says
 * where the loader looked, not one per file (issue 11: 42 issues). Only files whose folder is missing
 * too are grouped; a misspelt file name in a folder that exists keeps its own issue.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { formatPath } from './path';
import type { LocatedIssue } from './schema-issues';

/** The topmost missing folder on the way to `file`, or undefined when the file's own folder exists. */
function missingFolder(file: string): string | undefined {
  let folder = dirname(file);
  if (existsSync(folder)) return undefined;
  while (dirname(folder) !== folder && !existsSync(dirname(folder))) folder = dirname(folder);
  return folder;
}

/** `schemas/` for a folder inside the spec's folder, undefined for one outside it. */
function inside(folder: string, specDir: string): string | undefined {
  const path = relative(specDir, folder);
  return path && !path.startsWith('..') && !isAbsolute(path) ? `${path}/` : undefined;
}

const list = (items: string[], and = 'and'): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1]}`;

/**
 * Replaces the issues of files whose folder does not exist (two or more) with one issue at the first of
 * them. `cwd` is where the command runs: when the files are there, the fix says so.
 */
export function groupMissingFiles(
  issues: LocatedIssue[],
  specDir: string,
  cwd: string = process.cwd(),
): LocatedIssue[] {
  const grouped = issues.filter((i) => i.missingFile !== undefined && missingFolder(i.missingFile) !== undefined);
  if (grouped.length < 2) return issues;
  const base = resolve(specDir);
  const folders = [...new Set(grouped.map((i) => missingFolder(i.missingFile!)!))];
  const first = grouped[0]!;
  const others = grouped.slice(1).map((i) => formatPath(i.segments));
  const names = others.length > 3 ? [...others.slice(0, 3), '…'] : others;
  // Where the files are when the command runs elsewhere: the current folder, as the paths would be read from it.
  const here = resolve(cwd);
  const inCwd = here !== base && grouped.every((i) => existsSync(join(here, relative(base, i.missingFile!))));
  const folderNames = folders.map((f) => inside(f, base) ?? f);
  const within = folders.flatMap((f) => inside(f, base) ?? []);
  const without = folders.filter((f) => inside(f, base) === undefined);
  const where = [
    ...(within.length > 0 ? [`${base} has no ${list(within, 'or')}`] : []),
    ...(without.length > 0 ? [`there is no ${list(without, 'or')}`] : []),
  ].join('; ');
  const issue: LocatedIssue = {
    segments: first.segments,
    message:
      `cannot read ${first.missingFile!}, nor ${others.length} more file${others.length === 1 ? '' : 's'} the spec names (${names.join(', ')}): ` +
      `${where}, and paths in a spec are relative to the spec's own folder`,
    fix: inCwd
      ? `they are in ${here} (the current folder): keep the spec there, copy ${list(folderNames)} next to it, or write its paths relative to ${base}, e.g. ${relative(base, join(here, relative(base, first.missingFile!)))}`
      : `put ${list(folderNames)} next to the spec, or write the paths relative to ${base}`,
  };
  return issues.filter((i) => !grouped.includes(i) || i === first).map((i) => (i === first ? issue : i));
}
