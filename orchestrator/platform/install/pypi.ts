/**
 * Installs a native library shipped inside a PyPI wheel: `pip download` fetches the pinned wheel (a zip),
 * and Python's own zipfile module extracts the one file we need into the install cache.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceError } from '../../../lib/errors';
import type { Logger } from '../../../lib/log';
import { run } from '../processes';

export interface PypiLibrary {
  description: string;
  package: string;
  version: string;
  /** Glob of the file inside the wheel. */
  file: string;
  /** Name the library is linked by; a symlink of this name points at the extracted file. */
  soname: string;
}

const EXTRACT = `
import fnmatch, sys, zipfile, os
wheel, pattern, out = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if fnmatch.fnmatch(n, pattern)]
    if len(names) != 1: sys.exit("expected one file matching %s, found %s" % (pattern, names))
    target = os.path.join(out, os.path.basename(names[0]))
    with z.open(names[0]) as src, open(target, "wb") as dst: dst.write(src.read())
    print(target)
`;

export function pypiLibraryDir(cache: string, name: string, lib: PypiLibrary): string {
  return join(cache, 'pypi', `${name}-${lib.version}`);
}

export async function installPypiLibrary(cache: string, name: string, lib: PypiLibrary, log: Logger): Promise<string> {
  const dir = pypiLibraryDir(cache, name, lib);
  const libDir = join(dir, 'lib');
  if (existsSync(join(dir, '.complete'))) return libDir;
  log.info(`installing ${lib.package} ${lib.version} from PyPI (pip) for its ${lib.soname}`, { component: name });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(libDir, { recursive: true });
  const download = join(dir, 'download');
  const pip = await run(
    'python3',
    [
      '-m',
      'pip',
      'download',
      '--no-deps',
      '--only-binary=:all:',
      '-q',
      '-d',
      download,
      `${lib.package}==${lib.version}`,
    ],
    { timeoutMs: 10 * 60_000 },
  );
  const wheel = existsSync(download) ? readdirSync(download).find((f) => f.endsWith('.whl')) : undefined;
  if (pip.code !== 0 || !wheel) {
    throw new SluiceError(
      'SLUICE_INSTALL_FAILED',
      `pip could not download ${lib.package}==${lib.version}: ${pip.stderr.trim().slice(-800)}`,
      {
        fix: 'check that PyPI is reachable (python3 -m pip download …) and run up again',
      },
    );
  }
  const extract = await run('python3', ['-c', EXTRACT, join(download, wheel), lib.file, libDir]);
  if (extract.code !== 0)
    throw new SluiceError('SLUICE_INSTALL_FAILED', `extracting ${lib.file} from ${wheel}: ${extract.stderr.trim()}`);
  symlinkSync(extract.stdout.trim(), join(libDir, lib.soname));
  rmSync(download, { recursive: true, force: true });
  writeFileSync(join(dir, '.complete'), `${new Date().toISOString()}\n`);
  return libDir;
}

const EXTRACT_TREE = `
import sys, zipfile, os, json
wheel, out, mapping = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    for source, target in mapping.items():
        matched = [n for n in names if (n.startswith(source) if source.endswith("/") else n == source) and not n.endswith("/")]
        if not matched: sys.exit("nothing in the wheel matches %s" % source)
        for n in matched:
            rel = n[len(source):] if source.endswith("/") else os.path.basename(n)
            dest = os.path.join(out, target, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with z.open(n) as src, open(dest, "wb") as dst:
                while True:
                    chunk = src.read(1 << 20)
                    if not chunk: break
                    dst.write(chunk)
`;

export function pypiDistributionDir(cache: string, name: string, dist: { version: string }): string {
  return join(cache, 'distributions', `${name}-${dist.version}`);
}

/**
 * A server distribution shipped as a PyPI wheel (Flink's jars in apache-flink-libraries): `pip download`
 * fetches the pinned wheel without installing it, and the listed paths are unpacked into the cache.
 */
export async function installPypiDistribution(
  cache: string,
  name: string,
  dist: { package: string; version: string; extract: Record<string, string> },
  log: Logger,
): Promise<string> {
  const dir = pypiDistributionDir(cache, name, dist);
  if (existsSync(join(dir, '.complete'))) return dir;
  log.info(`installing ${dist.package} ${dist.version} from PyPI (pip)`, { component: name });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const download = join(dir, 'download');
  const pip = await run(
    'python3',
    [
      '-m',
      'pip',
      'download',
      '--no-deps',
      '--only-binary=:all:',
      '-q',
      '-d',
      download,
      `${dist.package}==${dist.version}`,
    ],
    { timeoutMs: 30 * 60_000 },
  );
  const wheel = existsSync(download) ? readdirSync(download).find((f) => f.endsWith('.whl')) : undefined;
  if (pip.code !== 0 || !wheel) {
    throw new SluiceError(
      'SLUICE_INSTALL_FAILED',
      `pip could not download ${dist.package}==${dist.version}: ${pip.stderr.trim().slice(-800)}`,
      {
        fix: 'check that PyPI is reachable (python3 -m pip download …) and run up again',
      },
    );
  }
  const extract = await run('python3', ['-c', EXTRACT_TREE, join(download, wheel), dir, JSON.stringify(dist.extract)], {
    timeoutMs: 10 * 60_000,
  });
  if (extract.code !== 0)
    throw new SluiceError('SLUICE_INSTALL_FAILED', `unpacking ${wheel}: ${extract.stderr.trim().slice(-800)}`);
  rmSync(download, { recursive: true, force: true });
  writeFileSync(join(dir, '.complete'), `${new Date().toISOString()}\n`);
  return dir;
}
