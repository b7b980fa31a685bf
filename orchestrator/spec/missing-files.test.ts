import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SluiceError } from '../../lib/errors';
import { loadSpec } from './load';
import { groupMissingFiles } from './missing-files';
import type { SpecIssue } from './types';

const ROOT = join(__dirname, '..', '..');

function issuesOf(run: () => unknown): SpecIssue[] {
  try {
    run();
  } catch (error) {
    if (error instanceof SluiceError) return (error.details?.issues ?? []) as SpecIssue[];
    throw error;
  }
  throw new Error('expected a SluiceError');
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-spec-copy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('files the spec names, relative to the spec', () => {
  it('a copy of pipeline.yaml outside the repository is one issue that says where it looked (issue 11: 42)', () => {
    const copy = join(dir, 'pipeline.yaml');
    cpSync(join(ROOT, 'pipeline.yaml'), copy);
    const issues = issuesOf(() => loadSpec(copy, { brokerCount: 3 }));
    expect(issues).toHaveLength(1);
    const [issue] = issues;
    expect(issue!.path).toBe('topics[0].valueSchema');
    expect(issue!.message).toBe(
      `cannot read ${join(dir, 'schemas', 'web-access-log.avsc')}, nor 43 more files the spec names (topics[1].valueSchema, topics[2].valueSchema, topics[3].valueSchema, …): ` +
        `${dir} has no schemas/, sql/ or connectors/, and paths in a spec are relative to the spec's own folder`,
    );
    expect(issue!.line).toBe(12);
  });

  it('the same copy with its folders beside it loads (the positive control)', () => {
    const copy = join(dir, 'pipeline.yaml');
    cpSync(join(ROOT, 'pipeline.yaml'), copy);
    for (const folder of ['schemas', 'sql', 'connectors'])
      cpSync(join(ROOT, folder), join(dir, folder), { recursive: true });
    expect(loadSpec(copy, { brokerCount: 3 }).topics).toHaveLength(47);
  });

  it('says where the files are when the command runs where they are', () => {
    const issues = [
      {
        segments: ['topics', 0, 'valueSchema'],
        message: 'x',
        fix: 'y',
        missingFile: join(dir, 'schemas', 'web-access-log.avsc'),
      },
      { segments: ['sql', 'tables', 0], message: 'x', fix: 'y', missingFile: join(dir, 'sql', '010-sources.sql') },
    ];
    const [one, ...more] = groupMissingFiles(issues, dir, ROOT);
    expect(more).toEqual([]);
    expect(one!.fix).toMatch(
      new RegExp(
        `^they are in ${ROOT} \\(the current folder\\): keep the spec there, copy schemas/ and sql/ next to it, or write its paths relative to ${dir}, e\\.g\\. \\.\\./.*/schemas/web-access-log\\.avsc$`,
      ),
    );
    // Where the files are not: no such hint.
    expect(groupMissingFiles(issues, dir, dir)[0]!.fix).toBe(
      `put schemas/ and sql/ next to the spec, or write the paths relative to ${dir}`,
    );
  });

  it('keeps a misspelt file name in a folder that exists as its own issue', () => {
    mkdirSync(join(dir, 'schemas'));
    writeFileSync(join(dir, 'schemas', 'a.avsc'), '{"type": "record", "name": "A", "fields": []}');
    const spec = [
      'apiVersion: sluice/v1',
      'name: demo',
      'topics:',
      '  - name: a',
      '    partitions: 1',
      '    replicationFactor: 1',
      '    valueSchema: schemas/a.avsc',
      '  - name: b',
      '    partitions: 1',
      '    replicationFactor: 1',
      '    valueSchema: schemas/b.avsc',
      '  - name: c',
      '    partitions: 1',
      '    replicationFactor: 1',
      '    valueSchema: schemas/c.avsc',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'pipeline.yaml'), spec);
    expect(issuesOf(() => loadSpec(join(dir, 'pipeline.yaml'))).map((i) => i.path)).toEqual([
      'topics[1].valueSchema',
      'topics[2].valueSchema',
    ]);
  });
});
