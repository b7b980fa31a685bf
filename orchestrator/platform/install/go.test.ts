/** Unit tests of the Go installer's pure pieces: no network, no go; only real files for the cache marker. */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../lib/log';
import {
  binaryName,
  findOnPath,
  goBinaryDir,
  goBuildEnv,
  goCacheKey,
  goDirs,
  installGoBinary,
  isUsableInfluxd,
  parseInfluxdVersion,
  parseRustupToolchain,
  renderLdflags,
  resolveInfluxd,
  rustcWrapperScript,
  type GoBinary,
} from './go';

const influxd: GoBinary = {
  description: 'InfluxDB 1.x',
  version: 'v1.12.4',
  module: 'github.com/influxdata/influxdb/cmd/influxd',
  ldflags: '-s -w -X main.version={version}',
  requires: ['cargo', 'gcc'],
  rustcFlags: ['--cap-lints=warn'],
  tools: [{ module: 'github.com/influxdata/pkg-config', version: 'v0.2.14', env: 'PKG_CONFIG' }],
};

const tmp = () => mkdtempSync(join(tmpdir(), 'sluice-go-'));
const quiet = createLogger({ write: () => undefined });

describe('go install cache', () => {
  test('the key changes with every pinned input and with nothing else', () => {
    const key = goCacheKey(influxd);
    expect(key).toMatch(/^[0-9a-f]{12}$/);
    expect(goCacheKey({ ...influxd, description: 'reworded' })).toBe(key);
    expect(goCacheKey({ ...influxd, version: 'v1.13.2' })).not.toBe(key);
    expect(
      goCacheKey({
        ...influxd,
        tools: [{ module: 'github.com/influxdata/pkg-config', version: 'v0.2.13', env: 'PKG_CONFIG' }],
      }),
    ).not.toBe(key);
    expect(goCacheKey({ ...influxd, ldflags: '-X main.version={version}' })).not.toBe(key);
    expect(goCacheKey({ ...influxd, rustcFlags: [] })).not.toBe(key);
    expect(goCacheKey({ ...influxd, env: { CC: 'clang' } })).not.toBe(key);
  });

  test('the key does not depend on the order env entries are written in', () => {
    const a = goCacheKey({ ...influxd, env: { A: '1', B: '2' } });
    expect(goCacheKey({ ...influxd, env: { B: '2', A: '1' } })).toBe(a);
  });

  test('binaries live under <cache>/go/bin, named by version and key', () => {
    expect(goBinaryDir('/c', 'influxd', influxd)).toBe(`/c/go/bin/influxd-v1.12.4-${goCacheKey(influxd)}`);
    expect(goDirs('/c')).toEqual({
      root: '/c/go',
      gopath: '/c/go/path',
      modcache: '/c/go/mod',
      buildcache: '/c/go/build',
    });
  });

  test('a complete install is returned without running anything', async () => {
    const cache = tmp();
    const dir = goBinaryDir(cache, 'influxd', influxd);
    mkdirSync(join(dir, 'bin'), { recursive: true });
    writeFileSync(join(dir, '.complete'), 'done\n');
    await expect(installGoBinary(cache, 'influxd', influxd, quiet)).resolves.toEqual({
      path: join(dir, 'bin', 'influxd'),
      dir,
      downloaded: false,
    });
  });
});

describe('go install command', () => {
  test('the binary is named after the package, skipping a major-version suffix', () => {
    expect(binaryName('github.com/influxdata/influxdb/cmd/influxd')).toBe('influxd');
    expect(binaryName('github.com/influxdata/pkg-config')).toBe('pkg-config');
    expect(binaryName('example.com/tool/v2')).toBe('tool');
  });

  test('{version} in ldflags is the version without its v', () => {
    expect(renderLdflags(influxd)).toBe('-s -w -X main.version=1.12.4');
    expect(renderLdflags({ ...influxd, ldflags: undefined })).toBeUndefined();
  });

  test('the build env keeps Go inside the cache, pins the toolchain and names the tools', () => {
    const dirs = goDirs('/c');
    const env = goBuildEnv(
      { PATH: '/usr/bin', GOFLAGS: '-mod=vendor', GOPROXY: 'from-the-user', HOME: '/h' },
      {
        dirs,
        gobin: '/c/go/bin/x/bin',
        pathFirst: ['/c/go/bin/x/tools'],
        tools: { PKG_CONFIG: '/c/go/bin/x/tools/pkg-config' },
        rustupToolchain: 'stable-x86_64-unknown-linux-gnu',
        extra: { RUSTFLAGS: '--cap-lints=warn' },
      },
    );
    expect(env).toMatchObject({
      GOPATH: '/c/go/path',
      GOMODCACHE: '/c/go/mod',
      GOCACHE: '/c/go/build',
      GOBIN: '/c/go/bin/x/bin',
      GOFLAGS: '-modcacherw',
      GOTOOLCHAIN: 'local',
      GOWORK: 'off',
      CGO_ENABLED: '1',
      GOPROXY: 'from-the-user',
      PKG_CONFIG: '/c/go/bin/x/tools/pkg-config',
      RUSTFLAGS: '--cap-lints=warn',
      RUSTUP_TOOLCHAIN: 'stable-x86_64-unknown-linux-gnu',
      PATH: '/c/go/bin/x/tools:/usr/bin',
    });
  });

  test('the rustc wrapper runs rustc with its arguments, then the flags, quoted for sh', () => {
    expect(rustcWrapperScript(['--cap-lints=warn'])).toMatch(/\nexec "\$@" --cap-lints=warn\n$/);
    expect(rustcWrapperScript(['-C', "link-arg=it's"])).toContain(`exec "$@" -C 'link-arg=it'\\''s'`);
  });

  test("a caller's RUSTUP_TOOLCHAIN is kept", () => {
    const env = goBuildEnv(
      { PATH: '/usr/bin', RUSTUP_TOOLCHAIN: '1.80' },
      { dirs: goDirs('/c'), gobin: '/b', rustupToolchain: 'stable' },
    );
    expect(env.RUSTUP_TOOLCHAIN).toBe('1.80');
  });

  test('the active rustup toolchain is the first word rustup prints', () => {
    expect(parseRustupToolchain('stable-x86_64-unknown-linux-gnu (default)\n')).toBe('stable-x86_64-unknown-linux-gnu');
    expect(parseRustupToolchain('')).toBeUndefined();
  });
});

describe('influxd', () => {
  test('versions from release builds and from go install builds are read', () => {
    expect(parseInfluxdVersion('InfluxDB v1.8.10 (git: 1.8 688e697c51fd)')).toEqual([1, 8, 10]);
    expect(parseInfluxdVersion('InfluxDB 1.12.4 (git: unknown unknown)\n')).toEqual([1, 12, 4]);
    expect(parseInfluxdVersion('InfluxDB unknown (git: unknown unknown)')).toBeUndefined();
  });

  test('only 1.x from 1.8 on is usable', () => {
    expect(isUsableInfluxd([1, 8, 0])).toBe(true);
    expect(isUsableInfluxd([1, 12, 4])).toBe(true);
    expect(isUsableInfluxd([1, 7, 11])).toBe(false);
    expect(isUsableInfluxd([2, 7, 1])).toBe(false);
    expect(isUsableInfluxd(undefined)).toBe(false);
  });

  test('an influxd 1.8+ on PATH wins over the cache; an old one is ignored', async () => {
    const bin = tmp();
    const fake = join(bin, 'influxd');
    writeFileSync(fake, '#!/bin/sh\necho "InfluxDB v1.8.10 (git: 1.8 688e697c51fd)"\n');
    chmodSync(fake, 0o755);
    expect(findOnPath('influxd', `/nonexistent:${bin}`)).toBe(fake);
    await expect(resolveInfluxd(tmp(), influxd, quiet, bin)).resolves.toMatchObject({
      path: fake,
      source: 'path',
      version: 'InfluxDB v1.8.10 (git: 1.8 688e697c51fd)',
    });

    writeFileSync(fake, '#!/bin/sh\necho "InfluxDB v1.7.11 (git: 1.7 abc)"\n');
    const cache = tmp();
    const dir = goBinaryDir(cache, 'influxd', influxd);
    mkdirSync(join(dir, 'bin'), { recursive: true });
    writeFileSync(join(dir, 'bin', 'influxd'), '#!/bin/sh\necho "InfluxDB 1.12.4 (git: unknown unknown)"\n');
    chmodSync(join(dir, 'bin', 'influxd'), 0o755);
    writeFileSync(join(dir, '.complete'), 'done\n');
    await expect(resolveInfluxd(cache, influxd, quiet, bin)).resolves.toMatchObject({
      source: 'cache',
      downloaded: false,
      version: 'InfluxDB 1.12.4 (git: unknown unknown)',
    });
  });
});
