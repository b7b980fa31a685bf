/**
 * The drift check: every generated file is committed exactly as generation gives it. A failure means a
 * generated file was edited by hand, or a source was changed without `npm run generate`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/repo';
import { generatedFiles, type GeneratedFile } from './generate';

jest.setTimeout(30_000);

let files: GeneratedFile[];
beforeAll(() => {
  files = generatedFiles();
});

describe('generated files', () => {
  test.each([
    'lib/spec/pipeline.schema.json',
    'lib/spec/types.generated.ts',
    'docs/spec-reference.md',
    'sql/030-outputs.sql',
    'sql/050-decode-errors.sql',
    'sql/400-decode-errors.sql',
  ])('%s is what npm run generate gives', (path) => {
    const file = files.find((f) => f.path === path);
    expect(file).toBeDefined();
    const committed = readFileSync(join(repoRoot(), path), 'utf8');
    // Not toBe on the whole text: the message names the first differing line and what to run.
    const want = file!.content.split('\n');
    const have = committed.split('\n');
    const line = want.findIndex((l, i) => l !== have[i]);
    const first =
      line < 0 && want.length === have.length
        ? 'none'
        : `line ${(line < 0 ? Math.min(want.length, have.length) : line) + 1}: generated ${JSON.stringify(want[line] ?? '(end)')}, committed ${JSON.stringify(have[line] ?? '(end)')}; edit ${file!.source} and run npm run generate`;
    expect(first).toBe('none');
  });
});
