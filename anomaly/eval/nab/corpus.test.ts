import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSluiceError } from '../../../lib/errors';
import { parseNabCsv, parseNabTime, parseWindows, readNabCorpus } from './corpus';

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string; path?: string };
  }
  throw new Error('no error');
};

describe('NAB files', () => {
  test('timestamps are read as UTC, with or without fractions; impossible dates are refused', () => {
    expect(parseNabTime('2014-04-10 07:15:00')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseNabTime('2014-04-10 07:15:00.000000')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseNabTime('2014-02-30 00:00:00')).toBeUndefined();
    expect(parseNabTime('10/04/2014 07:15')).toBeUndefined();
  });

  test('a data file: header, rows, repeated timestamps allowed (NAB has them at DST changes)', () => {
    const parsed = parseNabCsv(
      'timestamp,value\n2014-01-01 00:00:00,1.5\n2014-01-01 00:05:00,2\n2014-01-01 00:05:00,3\n',
      'x.csv',
    );
    expect(parsed.values).toEqual([1.5, 2, 3]);
    expect(parsed.valueText).toEqual(['1.5', '2', '3']);
    expect(parsed.timestamps[1]).toBe(parsed.timestamps[2]);
    expect(parsed.outOfOrder).toBe(1);
  });

  test('a timestamp that steps back is kept in file order and counted, not refused (NAB scores it)', () => {
    const parsed = parseNabCsv(
      'timestamp,value\n2014-01-01 01:00:00,1\n2014-01-01 00:05:00,2\n2014-01-01 00:10:00,3\n2014-01-01 01:05:00,4\n',
      'x.csv',
    );
    expect(parsed.values).toEqual([1, 2, 3, 4]);
    // Both rows before 01:00 are behind the latest row above them; 01:05 is in order again.
    expect(parsed.outOfOrder).toBe(2);
    expect(parsed.timestamps[1]).toBeLessThan(parsed.timestamps[0]!);
  });

  test('a bad row is SLUICE_DATA_INVALID naming the file and line', () => {
    const bad = errorOf(() =>
      parseNabCsv('timestamp,value\n2014-01-01 00:00:00,1\n2014-01-01 00:05:00,abc\n', 'data/a/b.csv'),
    );
    expect(isSluiceError(bad, 'SLUICE_DATA_INVALID')).toBe(true);
    expect(bad.message).toBe("data/a/b.csv:3: value 'abc' is not a number");
    expect(errorOf(() => parseNabCsv('time,value\n', 'f.csv')).message).toMatch(/f.csv:1: the header is 'time,value'/);
    expect(errorOf(() => parseNabCsv('timestamp,value\n2014-01-01 00:05:00,1,2\n', 'f.csv')).message).toMatch(
      /expected 2 columns/,
    );
  });

  test('a windows file: sorted windows per file; overlaps and non-JSON refused', () => {
    const windows = parseWindows(
      '{"a/x.csv": [["2014-01-02 00:00:00.000000", "2014-01-02 01:00:00.000000"], ["2014-01-01 00:00:00.000000", "2014-01-01 01:00:00.000000"]], "a/y.csv": []}',
      'w.json',
    );
    expect(windows.get('a/x.csv')).toEqual([
      [Date.UTC(2014, 0, 1), Date.UTC(2014, 0, 1, 1)],
      [Date.UTC(2014, 0, 2), Date.UTC(2014, 0, 2, 1)],
    ]);
    expect(windows.get('a/y.csv')).toEqual([]);
    expect(errorOf(() => parseWindows('{', 'w.json')).code).toBe('SLUICE_DATA_INVALID');
    expect(
      errorOf(() =>
        parseWindows(
          '{"a": [["2014-01-01 00:00:00", "2014-01-01 02:00:00"], ["2014-01-01 01:00:00", "2014-01-01 03:00:00"]]}',
          'w.json',
        ),
      ).message,
    ).toMatch(/overlap/);
  });
});

describe('readNabCorpus', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-nab-'));
  const rows = (n: number) =>
    [
      'timestamp,value',
      ...Array.from(
        { length: n },
        (_, i) =>
          `2014-01-01 ${String(Math.floor(i / 12)).padStart(2, '0')}:${String((i % 12) * 5).padStart(2, '0')}:00,${i}`,
      ),
    ].join('\n');
  mkdirSync(join(dir, 'data', 'cat'), { recursive: true });
  writeFileSync(join(dir, 'data', 'cat', 'one.csv'), rows(48));
  writeFileSync(join(dir, 'data', 'cat', 'extra.csv'), rows(10));
  writeFileSync(
    join(dir, 'windows.json'),
    JSON.stringify({
      'cat/one.csv': [['2014-01-01 02:00:00.000000', '2014-01-01 02:30:00.000000']],
      'cat/gone.csv': [],
    }),
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('reads the files the windows list, maps windows to rows, and reports the rest', () => {
    const corpus = readNabCorpus(join(dir, 'data'), join(dir, 'windows.json'));
    expect(corpus.files.map((f) => [f.path, f.category, f.name])).toEqual([['cat/one.csv', 'cat', 'one.csv']]);
    expect(corpus.files[0]!.windows).toEqual([
      { start: Date.UTC(2014, 0, 1, 2), end: Date.UTC(2014, 0, 1, 2, 30), firstRow: 24, lastRow: 30 },
    ]);
    expect(corpus.unlabelled).toEqual(['cat/extra.csv']);
    expect(corpus.missing).toEqual(['cat/gone.csv']);
  });

  test('a missing directory or windows file is SLUICE_CONFIG_INVALID, with the path', () => {
    const missing = errorOf(() => readNabCorpus(join(dir, 'nope'), join(dir, 'windows.json')));
    expect(missing).toMatchObject({ code: 'SLUICE_CONFIG_INVALID', path: join(dir, 'nope') });
    expect(errorOf(() => readNabCorpus(join(dir, 'data'), join(dir, 'nope.json'))).code).toBe('SLUICE_CONFIG_INVALID');
  });

  test('a window with no row in its file is refused', () => {
    writeFileSync(
      join(dir, 'late.json'),
      JSON.stringify({ 'cat/one.csv': [['2015-01-01 00:00:00.000000', '2015-01-01 01:00:00.000000']] }),
    );
    expect(errorOf(() => readNabCorpus(join(dir, 'data'), join(dir, 'late.json'))).message).toMatch(/covers no row/);
  });
});
