/**
 * docs/errors.md documents every error code, and only codes that exist (after fastify's test of
 * docs/Reference/Errors.md): a code added to ERROR_CODES without a `## CODE` section fails here, and so
 * does a section left behind for a code that was removed or renamed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, SluiceError, isSluiceError } from './errors';
import { repoRoot } from './repo';

const DOC = join(repoRoot(), 'docs', 'errors.md');

function documentedCodes(markdown: string): string[] {
  return [...markdown.matchAll(/^## (SLUICE_[A-Z0-9_]+)\s*$/gm)].map((match) => match[1]!);
}

describe('docs/errors.md', () => {
  const markdown = readFileSync(DOC, 'utf8');
  const documented = documentedCodes(markdown);
  const codes = Object.keys(ERROR_CODES);

  test('has a "## CODE" section for every code in ERROR_CODES', () => {
    expect(codes.filter((code) => !documented.includes(code))).toEqual([]);
  });

  test('documents no code that ERROR_CODES does not have', () => {
    expect(documented.filter((code) => !codes.includes(code))).toEqual([]);
  });

  test('documents each code once', () => {
    expect(documented.filter((code, i) => documented.indexOf(code) !== i)).toEqual([]);
  });

  test('says for each code whether it is retriable, as ERROR_CODES does', () => {
    const sections = markdown.split(/^## /m).slice(1);
    const wrong = sections.flatMap((section) => {
      const code = section.slice(0, section.indexOf('\n')).trim() as keyof typeof ERROR_CODES;
      const entry = ERROR_CODES[code];
      if (!entry) return [];
      const said = /\*\*Retriable:\*\* (yes|no)\b/.exec(section)?.[1];
      return said === (entry.retriable ? 'yes' : 'no')
        ? []
        : [`${code}: docs say ${said ?? 'nothing'}, code says ${entry.retriable}`];
    });
    expect(wrong).toEqual([]);
  });
});

describe('SluiceError', () => {
  test('takes retriable from its code unless told otherwise', () => {
    expect(new SluiceError('SLUICE_WAIT_TIMEOUT', 'x').retriable).toBe(true);
    expect(new SluiceError('SLUICE_SPEC_INVALID', 'x').retriable).toBe(false);
    expect(new SluiceError('SLUICE_KAFKA_ERROR', 'x', { retriable: false }).retriable).toBe(false);
  });

  test('describes itself with code, location and fix', () => {
    const error = new SluiceError('SLUICE_SPEC_NOT_FOUND', 'nope.yaml: cannot read the pipeline spec (no such file)', {
      path: 'nope.yaml',
      fix: 'check the path',
    });
    expect(error.describe()).toBe(
      'SLUICE_SPEC_NOT_FOUND: nope.yaml: cannot read the pipeline spec (no such file)\n  at: nope.yaml\n  fix: check the path',
    );
    expect(isSluiceError(error, 'SLUICE_SPEC_NOT_FOUND')).toBe(true);
    expect(isSluiceError(error, 'SLUICE_SPEC_INVALID')).toBe(false);
  });
});
