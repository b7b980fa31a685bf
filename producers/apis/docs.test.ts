/**
 * docs/guides/data-sources.md says, per API, which key it needs, which limits Sluice holds it to, which
 * topics it writes and as which principal: this checks the guide's table against the descriptors, so
 * the guide cannot drift from the code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../lib/repo';
import { API_MODULES } from './catalog';
import { API_NAMES } from './framework/types';

const guide = readFileSync(join(repoRoot(), 'docs', 'guides', 'data-sources.md'), 'utf8');
const UNITS: Record<number, string> = {
  1000: 'second',
  60_000: 'minute',
  900_000: '15 minutes',
  3_600_000: 'hour',
  86_400_000: 'day',
  [31 * 86_400_000]: '31 days',
};
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.each(API_NAMES.map((api) => [api]))('the data-sources guide on %s', (api) => {
  const { descriptor } = API_MODULES[api];
  const row = guide.split('\n').find((line) => line.startsWith(`| \`${api}\` |`)) ?? '';

  it('has a row in the table with its key variable, topics and principal', () => {
    expect(row).not.toBe('');
    expect(row).toContain(descriptor.keyEnv ? `\`${descriptor.keyEnv}\`` : '| none |');
    for (const topic of descriptor.topics) expect(row).toContain(`\`${topic}\``);
    expect(row).toContain(`\`${descriptor.principal}\``);
  });

  it('states each limit the code holds it to', () => {
    for (const window of descriptor.limits) {
      const unit = UNITS[window.perMs];
      expect(unit).toBeDefined();
      expect(row).toMatch(
        new RegExp(`${escape(window.limit.toLocaleString('en-US'))}( elements| connections)? per ${escape(unit!)}`),
      );
    }
  });

  it('has a section that names its key variable', () => {
    const section = guide.split(/^### /m).find((s) => s.includes(`(\`${api}\`)`)) ?? '';
    expect(section).not.toBe('');
    if (descriptor.keyEnv) expect(section).toContain(descriptor.keyEnv);
  });
});
