import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mavenBundle } from '../manifest';
import { bundleDir, projectBuildDir } from './maven';

describe('install cache keys', () => {
  test("a bundle's directory names its artifacts' hash; excluded groups count only where there are some", () => {
    // The Kafka bundle's directory is quoted in docs/guides/local-platform.md: it must not move.
    expect(bundleDir('/c', 'kafka', mavenBundle('kafka'))).toBe('/c/maven/kafka-4.3.1-f3c9fa254bc2');
    const converter = mavenBundle('apicurio-converter');
    expect(converter.excludeGroupIds).toEqual(['org.apache.kafka', 'org.slf4j']);
    expect(bundleDir('/c', 'x', converter)).not.toBe(bundleDir('/c', 'x', { ...converter, excludeGroupIds: [] }));
  });

  test("a project's build directory changes with its sources and pom, not with its target/ or dot files", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-project-'));
    try {
      mkdirSync(join(dir, 'src', 'main'), { recursive: true });
      writeFileSync(join(dir, 'pom.xml'), '<project/>');
      writeFileSync(join(dir, 'src', 'main', 'A.java'), 'class A {}');
      const first = projectBuildDir('/c', 'plugin', dir);
      expect(first).toMatch(/^\/c\/builds\/plugin-[0-9a-f]{12}$/);
      mkdirSync(join(dir, 'target'));
      writeFileSync(join(dir, 'target', 'A.class'), 'compiled');
      writeFileSync(join(dir, '.editor'), 'state');
      expect(projectBuildDir('/c', 'plugin', dir)).toBe(first);
      writeFileSync(join(dir, 'src', 'main', 'A.java'), 'class A { int x; }');
      expect(projectBuildDir('/c', 'plugin', dir)).not.toBe(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
