/**
 * System prerequisites (java, mvn, openssl, kcat): found on PATH, else installed with apt-get when we
 * are root, else refused up front with the exact command that installs them.
 */
import { SluiceError } from '../../../lib/errors';
import type { Logger } from '../../../lib/log';
import { manifest, type AptPackage, type SystemCommand } from '../manifest';
import { run } from '../processes';

export async function commandExists(command: string): Promise<boolean> {
  const result = await run('sh', ['-c', `command -v ${command}`]);
  return result.code === 0;
}

export async function javaMajorVersion(): Promise<number | undefined> {
  const result = await run('java', ['-version']).catch(() => undefined);
  const match = result && /version "(\d+)(?:\.(\d+))?/.exec(result.stderr + result.stdout);
  if (!match?.[1]) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major; // "1.8" means Java 8
}

let aptUpdated = false;

export async function aptInstall(packages: string[], log: Logger): Promise<void> {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !(await commandExists('apt-get'))) {
    throw new SluiceError('SLUICE_PREREQUISITE_MISSING', `missing system packages: ${packages.join(', ')}`, {
      fix: `install them first: sudo apt-get install -y ${packages.join(' ')}`,
    });
  }
  log.info(`installing ${packages.join(', ')} with apt-get`, { component: 'system' });
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let result = await run('apt-get', ['install', '-y', '-qq', ...packages], { env });
  if (result.code !== 0 && !aptUpdated) {
    // A fresh machine may have no package lists yet.
    aptUpdated = true;
    await run('apt-get', ['update', '-qq'], { env });
    result = await run('apt-get', ['install', '-y', '-qq', ...packages], { env });
  }
  if (result.code !== 0) {
    throw new SluiceError(
      'SLUICE_INSTALL_FAILED',
      `apt-get install ${packages.join(' ')} failed: ${result.stderr.trim().slice(-500)}`,
    );
  }
}

async function satisfied(command: string, spec: SystemCommand): Promise<boolean> {
  if (!(await commandExists(command))) return false;
  if (command === 'java' && spec.minMajorVersion) return ((await javaMajorVersion()) ?? 0) >= spec.minMajorVersion;
  if (spec.module) return (await run(command, ['-m', spec.module, '--version']).catch(() => ({ code: 1 }))).code === 0;
  return true;
}

/** Makes sure every system command of the manifest is there; `only` restricts the check. */
export async function ensureSystemCommands(log: Logger, only?: string[]): Promise<void> {
  const wanted = Object.entries(manifest.system.commands).filter(([name]) => !only || only.includes(name));
  const missing: Array<[string, SystemCommand]> = [];
  for (const [name, spec] of wanted) if (!(await satisfied(name, spec))) missing.push([name, spec]);
  if (missing.length === 0) return;
  const required = missing.filter(([, spec]) => !spec.optional);
  const optional = missing.filter(([, spec]) => spec.optional);
  if (required.length)
    await aptInstall(
      required.map(([, spec]) => spec.apt),
      log,
    );
  if (optional.length) {
    await aptInstall(
      optional.map(([, spec]) => spec.apt),
      log,
    ).catch((error: unknown) =>
      log.warn(`optional tools not installed: ${optional.map(([n]) => n).join(', ')}`, {
        component: 'system',
        error: String(error),
      }),
    );
  }
  for (const [name, spec] of required) {
    if (!(await satisfied(name, spec))) {
      throw new SluiceError('SLUICE_PREREQUISITE_MISSING', `${name} is still unusable after installing ${spec.apt}`, {
        fix: spec.minMajorVersion ? `put a Java ${spec.minMajorVersion}+ 'java' first on PATH` : `install ${spec.apt}`,
      });
    }
  }
}

/** A server from Debian's packages (platform-manifest.json `packages`): its binary, installed first when missing. */
export async function ensureAptPackage(pkg: AptPackage, log: Logger): Promise<string> {
  if (!(await commandExists(pkg.binary))) await aptInstall([pkg.apt], log);
  const found = await run('sh', ['-c', `command -v ${pkg.binary}`]);
  if (found.code !== 0) {
    throw new SluiceError('SLUICE_PREREQUISITE_MISSING', `${pkg.binary} is not on PATH after installing ${pkg.apt}`, {
      fix: `install it: sudo apt-get install -y ${pkg.apt}`,
    });
  }
  return found.stdout.trim();
}
