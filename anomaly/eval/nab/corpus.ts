/**
 * Reads a NAB corpus: `<dataDir>/<category>/<file>.csv` files of `timestamp,value` rows, and a windows
 * file (`combined_windows.json`: "category/file.csv" → [[start, end], …]). Any NAB data directory and
 * windows file work; files the two do not share are left out and reported, not guessed at.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { SluiceError } from '../../../lib/errors';

/** A labelled window, as timestamps and as the rows it covers (inclusive). */
export interface NabWindow {
  start: number;
  end: number;
  firstRow: number;
  lastRow: number;
}

export interface NabFile {
  /** "category/file.csv", the key of the windows file. */
  path: string;
  category: string;
  /** The file name, e.g. "art_noisy.csv". */
  name: string;
  timestamps: number[];
  values: number[];
  /** The rows' text as read, so results files repeat them exactly. */
  timestampText: string[];
  valueText: string[];
  /**
   * Rows whose timestamp is not later than the latest one above them (a clock going back, a row sent
   * late, a repeat). Kept in file order and scored there, as NAB's runner does; detectors score them
   * but do not learn from them.
   */
  outOfOrder: number;
  windows: NabWindow[];
}

export interface NabCorpus {
  files: NabFile[];
  /** Data files the windows file does not list (not scored). */
  unlabelled: string[];
  /** Windows-file entries with no data file (not scored). */
  missing: string[];
}

const NAB_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** A NAB timestamp ("2014-04-10 07:15:00" or with ".000000") as ms since the epoch, read as UTC. */
export function parseNabTime(text: string): number | undefined {
  const m = NAB_TIME.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(t);
  // Date.UTC rolls 2014-02-30 over to March: refuse dates that do not exist.
  if (
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== h ||
    back.getUTCMinutes() !== mi ||
    back.getUTCSeconds() !== s
  )
    return undefined;
  return t;
}

function invalid(path: string, message: string, fix: string): SluiceError {
  return new SluiceError('SLUICE_DATA_INVALID', `${path}: ${message}`, { path, fix });
}

/**
 * Parses one NAB data file. `where` names it in errors (with the line number). Rows stay in file order:
 * a timestamp that steps back or repeats is kept (and counted in `outOfOrder`), as NAB's runner keeps it.
 */
export function parseNabCsv(
  text: string,
  where: string,
): { timestamps: number[]; values: number[]; timestampText: string[]; valueText: string[]; outOfOrder: number } {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').trim().replace(/^\uFEFF/, '');
  if (header !== 'timestamp,value') {
    throw invalid(
      `${where}:1`,
      `the header is '${header}', not 'timestamp,value'`,
      'use a NAB data file: a header timestamp,value, then one row per time',
    );
  }
  const out = {
    timestamps: [] as number[],
    values: [] as number[],
    timestampText: [] as string[],
    valueText: [] as string[],
    outOfOrder: 0,
  };
  let latest = -Infinity;
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const at = `${where}:${i + 1}`;
    const cells = line.split(',');
    if (cells.length !== 2)
      throw invalid(
        at,
        `expected 2 columns (timestamp,value), found ${cells.length}: '${line}'`,
        'every row is <YYYY-MM-DD HH:MM:SS>,<number>',
      );
    const [stamp, raw] = cells as [string, string];
    const t = parseNabTime(stamp);
    if (t === undefined)
      throw invalid(
        at,
        `timestamp '${stamp}' is not YYYY-MM-DD HH:MM:SS`,
        'write timestamps as NAB does, e.g. 2014-04-01 00:05:00',
      );
    const value = raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(value))
      throw invalid(at, `value '${raw}' is not a number`, 'every value must be a finite number');
    // NAB's own files repeat a timestamp where clocks went back (daylight saving), and real feeds send
    // rows late: kept where they are, counted, never sorted (NAB scores rows in file order).
    if (t <= latest) out.outOfOrder++;
    else latest = t;
    out.timestamps.push(t);
    out.values.push(value);
    out.timestampText.push(stamp.trim());
    out.valueText.push(raw.trim());
  }
  if (out.timestamps.length === 0) throw invalid(where, 'has no rows', 'use a NAB data file with at least one row');
  return out;
}

/** Parses a windows file into "category/file.csv" → sorted, non-overlapping [start, end] in ms. */
export function parseWindows(text: string, where: string): Map<string, Array<[number, number]>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SluiceError('SLUICE_DATA_INVALID', `${where}: not JSON (${(error as Error).message})`, {
      path: where,
      cause: error,
      fix: "use NAB's labels/combined_windows.json",
    });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw invalid(
      where,
      'is not an object of "category/file.csv": [[start, end], …]',
      "use NAB's labels/combined_windows.json",
    );
  const out = new Map<string, Array<[number, number]>>();
  for (const [file, list] of Object.entries(json as Record<string, unknown>)) {
    const at = `${where}: "${file}"`;
    if (!Array.isArray(list))
      throw invalid(at, 'is not a list of [start, end] windows', 'write [] for a file without anomalies');
    const windows = list.map((w, i): [number, number] => {
      const pair =
        Array.isArray(w) && w.length === 2 ? w.map((x) => (typeof x === 'string' ? parseNabTime(x) : undefined)) : [];
      if (pair.length !== 2 || pair[0] === undefined || pair[1] === undefined) {
        throw invalid(
          `${at}[${i}]`,
          `is ${JSON.stringify(w)}, not ["YYYY-MM-DD HH:MM:SS.ffffff", "…"]`,
          'each window is a pair of NAB timestamps, start then end',
        );
      }
      if ((pair[1] as number) < (pair[0] as number))
        throw invalid(`${at}[${i}]`, 'ends before it starts', 'put the start first');
      return [pair[0] as number, pair[1] as number];
    });
    windows.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < windows.length; i++) {
      if ((windows[i] as [number, number])[0] <= (windows[i - 1] as [number, number])[1])
        throw invalid(at, `windows ${i - 1} and ${i} overlap`, 'NAB windows never overlap: merge them');
    }
    out.set(file.split('\\').join('/'), windows);
  }
  return out;
}

function csvFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      if (entry.startsWith('.')) continue;
      const full = join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith('.csv')) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

/**
 * Maps each window to the rows it covers, in file order, as NAB's sweeper does: it enters a window at
 * the first row stamped with the window's start and leaves it at the first row stamped with its end
 * (timestamps.index), even where timestamps repeat or step back. A window whose start or end is no
 * row's (not NAB's own windows) starts at the first row at or after its start and ends at the last row
 * before its end. A window no row falls in cannot be scored and is refused.
 */
function windowRows(path: string, timestamps: number[], windows: Array<[number, number]>, where: string): NabWindow[] {
  return windows.map(([start, end]) => {
    let firstRow = timestamps.indexOf(start);
    if (firstRow === -1) firstRow = timestamps.findIndex((t) => t >= start);
    let lastRow = timestamps.indexOf(end);
    if (lastRow === -1) {
      for (let i = timestamps.length - 1; i >= 0; i--) {
        if ((timestamps[i] as number) < end) {
          lastRow = i;
          break;
        }
      }
    }
    if (firstRow === -1 || lastRow < firstRow) {
      throw invalid(
        `${where}: "${path}"`,
        `window ${new Date(start).toISOString()} – ${new Date(end).toISOString()} covers no row of the data file`,
        'use the windows file that belongs to this data',
      );
    }
    return { start, end, firstRow, lastRow };
  });
}

export function readNabCorpus(dataDir: string, windowsFile: string): NabCorpus {
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', `${dataDir}: no such directory of NAB data`, {
      path: dataDir,
      fix: 'give --nab-data the data/ directory of NAB (one folder per category of timestamp,value CSV files)',
    });
  }
  if (!existsSync(windowsFile) || !statSync(windowsFile).isFile()) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', `${windowsFile}: no such NAB windows file`, {
      path: windowsFile,
      fix: "give --nab-windows NAB's labels/combined_windows.json",
    });
  }
  const windows = parseWindows(readFileSync(windowsFile, 'utf8'), windowsFile);
  const found = csvFiles(dataDir);
  if (found.length === 0) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', `${dataDir}: holds no .csv files`, {
      path: dataDir,
      fix: 'give --nab-data the data/ directory of NAB',
    });
  }
  const files: NabFile[] = [];
  const unlabelled: string[] = [];
  for (const path of found) {
    const listed = windows.get(path);
    if (!listed) {
      unlabelled.push(path);
      continue;
    }
    const parsed = parseNabCsv(readFileSync(join(dataDir, path), 'utf8'), join(dataDir, path));
    const slash = path.lastIndexOf('/');
    files.push({
      path,
      category: slash === -1 ? '' : path.slice(0, slash),
      name: path.slice(slash + 1),
      ...parsed,
      windows: windowRows(path, parsed.timestamps, listed, windowsFile),
    });
  }
  const missing = [...windows.keys()].filter((p) => !found.includes(p)).sort();
  return { files, unlabelled, missing };
}
