import { repoRoot } from '../../lib/repo';
import {
  commandsOf,
  documentedFiles,
  markerProblems,
  matches,
  normalise,
  parseBlocks,
  parseMarker,
  readBlocks,
} from './doc-blocks';

const root = repoRoot();

describe('the documented commands', () => {
  test('every block of README.md, docs/tutorials/ and docs/guides/ is run or says why not', () => {
    const files = documentedFiles(root);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/tutorials/first-pipeline.md']));
    expect(files.filter((f) => f.startsWith('docs/guides/')).length).toBeGreaterThanOrEqual(9);
    expect(files.flatMap((f) => markerProblems(readBlocks(root, f)))).toEqual([]);
  });

  test('README runs its commands, among them the sluice query example with its rows shown', () => {
    const blocks = readBlocks(root, 'README.md');
    const run = blocks.filter((b) => b.marker?.kind === 'run').flatMap((b) => commandsOf(b));
    expect(run.map((c) => c.command)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^npx sluice platform status/),
        expect.stringMatching(/^npx sluice query "SELECT \* FROM agg_iot_site_1m"/),
      ]),
    );
    const query = run.find((c) => c.command.startsWith('npx sluice query'))!;
    expect(query.untilCtrlC).toBe(true);
    expect(query.expected!.some((l) => l.startsWith('+I'))).toBe(true);
  });

  test('a block with no marker, an unknown marker or a skip with no reason is reported with its place', () => {
    const blocks = parseBlocks(
      'x.md',
      [
        '```bash',
        'npx sluice plan',
        '```',
        '<!-- doc-test: walk -->',
        '```text',
        'x',
        '```',
        '<!-- doc-test: skip -->',
        '```sh',
        'y',
        '```',
        '<!-- doc-test: output -->',
        '```text',
        'z',
        '```',
        '```yaml',
        'a: 1',
        '```',
      ].join('\n'),
    );
    expect(markerProblems(blocks)).toEqual([
      'x.md:1: a ```bash block with no <!-- doc-test: … --> marker before it',
      "x.md:5: unknown marker 'walk' (run, output, skip: <reason>, edit: <what>, start)",
      "x.md:9: a skip needs its reason: 'skip: <why it is not run>'",
      'x.md:13: an output block must follow a run (or start) block',
    ]);
  });

  test('markers: run with options, skip with its reason', () => {
    expect(parseMarker('run exit=1 unordered wait=10')).toMatchObject({
      kind: 'run',
      exit: 1,
      unordered: true,
      waitSeconds: 10,
    });
    expect(parseMarker('skip: needs Docker')).toEqual({ kind: 'skip', reason: 'needs Docker' });
    expect(() => parseMarker('run fast')).toThrow(/unknown run option 'fast'/);
  });

  test('a transcript gives each command its output; a script gives commands; `\\` continues a line', () => {
    const [transcript, script, output] = parseBlocks(
      'x.md',
      [
        '<!-- doc-test: run -->',
        '```text',
        '$ echo a \\',
        '    b',
        'a b',
        '',
        '$ true',
        '```',
        '<!-- doc-test: run -->',
        '```bash',
        'eval "$(npx sluice platform env)"   # settings',
        '# a comment',
        'npx sluice query "SELECT 1"  # rows until Ctrl-C',
        '```',
        '<!-- doc-test: output -->',
        '```text',
        '+I 1',
        '```',
      ].join('\n'),
    );
    expect(commandsOf(transcript!)).toEqual([
      { command: 'echo a \\\n    b', expected: ['a b'], untilCtrlC: false },
      { command: 'true', untilCtrlC: false },
    ]);
    expect(commandsOf(script!, output)).toEqual([
      { command: 'eval "$(npx sluice platform env)"   # settings', untilCtrlC: false },
      { command: 'npx sluice query "SELECT 1"  # rows until Ctrl-C', expected: ['+I 1'], untilCtrlC: true },
    ]);
  });
});

describe('matching shown output', () => {
  test('exact lines match with runs of spaces as one; a changed, missing or extra line does not', () => {
    const shown = ['COMPONENT  PID  HEALTH', 'kafka-1    …    healthy'];
    expect(matches(shown, 'COMPONENT PID HEALTH\nkafka-1   16700   healthy\n')).toBe(true);
    expect(matches(shown, 'COMPONENT PID HEALTH\nkafka-1 16700 unavailable\n')).toBe(false);
    expect(matches(shown, 'COMPONENT PID HEALTH\n')).toBe(false);
    expect(matches(shown, 'COMPONENT PID HEALTH\nkafka-1 1 healthy\nkafka-2 2 healthy\n')).toBe(false);
  });

  test('a line of … stands for any number of lines, <secret…> for one value', () => {
    expect(matches(['first', '…', 'last'], 'first\nlast')).toBe(true);
    expect(matches(['first', '…', 'last'], 'first\na\nb\nlast\n')).toBe(true);
    expect(matches(['first', '…', 'last'], 'first\na\nb\n')).toBe(false);
    expect(matches(['P=<secret, read from a file>'], 'P=s3cr3t-Value')).toBe(true);
    expect(matches(['P=<secret, read from a file>'], 'P=')).toBe(false);
  });

  test('unordered: every shown line once, in any order; … allows other lines', () => {
    expect(matches(['b', 'a'], 'a\nb', { unordered: true })).toBe(true);
    expect(matches(['b', 'a'], 'a\nb\nc', { unordered: true })).toBe(false);
    expect(matches(['b', '…'], 'a\nb\nc', { unordered: true })).toBe(true);
    expect(matches(['b', 'b'], 'a\nb', { unordered: true })).toBe(false);
    // A loose line does not take the line a more specific one needs.
    expect(matches(['end …', 'end …: exiting'], 'end 1: exiting\nend 2', { unordered: true })).toBe(true);
  });

  test("the test platform's paths and ports are written as the docs write them", () => {
    const n = { repoRoot: '/ci/sluice', sluiceHome: '/ci/sluice/.sluice/test-platform', portBase: 31000 };
    expect(normalise('file /ci/sluice/.sluice/test-platform/clients/x at 127.0.0.1:31012 pid 31012x', n)).toBe(
      'file /home/dev/sluice/.sluice/clients/x at 127.0.0.1:29012 pid 31012x',
    );
    expect(normalise('/ci/sluice/bin 32000 30999', n)).toBe('/home/dev/sluice/bin 32000 30999');
  });
});
