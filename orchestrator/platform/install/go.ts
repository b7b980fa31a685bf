/**
 * Installs a server that is published only as Go source (InfluxDB 1.x's `influxd`) with the ordinary
 * client: `go install <package>@<version>` from the Go module proxy, with GOPATH, the module cache and
 * the build cache kept under `<cache>/go`, so nothing outside the install cache is written.
 *
 * Helper tools are `go install`ed first into the binary's own dir and named by an environment variable:
 * influxd links libflux (Rust), which influxdata's pkg-config wrapper builds with cargo when cgo asks
 * `$PKG_CONFIG --cflags -- flux`. The cache key hashes every pinned input, and a `.complete` marker is
 * written last, so an interrupted build is redone and a second `up` builds and downloads nothing.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { SluiceError } from '../../../lib/errors';
import type { Logger } from '../../../lib/log';
import { run } from '../processes';

export interface GoTool {
  /** Package path of a main package, e.g. `github.com/influxdata/pkg-config`. */
  module: string;
  version: string;
  /** Environment variable set to the tool's binary for the main build, e.g. `PKG_CONFIG`. */
  env?: string;
}

export interface GoBinary {
  description: string;
  /** Module version, e.g. `v1.12.4`. */
  version: string;
  /** Package path of the main package, e.g. `github.com/influxdata/influxdb/cmd/influxd`. */
  module: string;
  /** Installed first, in order; each tool's bin dir is put first on PATH for the builds after it. */
  tools?: GoTool[];
  /** Passed as `-ldflags`; `{version}` is replaced by the version without its leading `v`. */
  ldflags?: string;
  /** Commands the build runs besides `go` (cgo's compiler, cargo): checked up front. */
  requires?: string[];
  /**
   * Flags appended to every rustc that cargo runs during the build, build scripts included. Not RUSTFLAGS:
   * when cargo is given --target (the pkg-config wrapper always gives it), RUSTFLAGS skips host crates,
   * and libflux compiles flux-core for its build script too. So a RUSTC_WRAPPER script adds them.
   */
  rustcFlags?: string[];
  /** Extra environment for the build; wins over the caller's environment. */
  env?: Record<string, string>;
}

export interface InstalledGoBinary {
  /** Absolute path of the executable. */
  path: string;
  dir: string;
  /** True when this call built it; false when the cache already had it. */
  downloaded: boolean;
}

/** The Go dirs shared by every Go install: GOPATH, module cache and build cache. */
export interface GoDirs {
  root: string;
  gopath: string;
  modcache: string;
  buildcache: string;
}

export function goDirs(cache: string): GoDirs {
  const root = join(cache, 'go');
  return { root, gopath: join(root, 'path'), modcache: join(root, 'mod'), buildcache: join(root, 'build') };
}

/** The executable name `go install` gives a package: its last element, skipping a `/vN` major suffix. */
export function binaryName(pkg: string): string {
  const parts = pkg.split('/').filter(Boolean);
  let name = parts.pop();
  if (name && /^v\d+$/.test(name) && parts.length > 1) name = parts.pop();
  if (!name) throw new Error(`bad go package path '${pkg}'`);
  return name;
}

/** Hash of everything that changes the built binary: module, version, tools, ldflags and build env. */
export function goCacheKey(spec: GoBinary): string {
  const pinned = {
    module: spec.module,
    version: spec.version,
    tools: (spec.tools ?? []).map((t) => `${t.module}@${t.version}${t.env ? ` ${t.env}` : ''}`),
    ldflags: spec.ldflags ?? '',
    rustcFlags: spec.rustcFlags ?? [],
    env: Object.entries(spec.env ?? {}).sort(([a], [b]) => a.localeCompare(b)),
  };
  return createHash('sha256').update(JSON.stringify(pinned)).digest('hex').slice(0, 12);
}

export function goBinaryDir(cache: string, name: string, spec: GoBinary): string {
  return join(goDirs(cache).root, 'bin', `${name}-${spec.version}-${goCacheKey(spec)}`);
}

export function renderLdflags(spec: GoBinary): string | undefined {
  return spec.ldflags?.replaceAll('{version}', spec.version.replace(/^v/, ''));
}

const shellQuote = (word: string): string =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;

/** A RUSTC_WRAPPER: cargo runs `<wrapper> <rustc> <args…>`; this one appends the flags. */
export function rustcWrapperScript(flags: string[]): string {
  return `#!/bin/sh\n# written by orchestrator/platform/install/go.ts\nexec "$@" ${flags.map(shellQuote).join(' ')}\n`;
}

export interface GoEnvOptions {
  dirs: GoDirs;
  /** GOBIN of this `go install`. */
  gobin: string;
  /** Dirs put first on PATH (installed tools, then ~/.cargo/bin when it exists). */
  pathFirst?: string[];
  /** Variables naming installed tools, e.g. `{ PKG_CONFIG: '/…/pkg-config' }`. */
  tools?: Record<string, string>;
  /** The active rustup toolchain: pinned so a module's rust-toolchain.toml cannot make rustup download another. */
  rustupToolchain?: string;
  extra?: Record<string, string>;
}

/**
 * The environment of one `go install`: everything Go writes goes under the install cache; GOFLAGS is
 * ours alone (-modcacherw keeps the module cache deletable and lets the pkg-config wrapper run cargo in
 * the module's own dir), GOTOOLCHAIN=local builds with the installed go and never fetches another, and
 * GOWORK=off ignores a go.work of the working directory. GOPROXY and the rest are the caller's.
 */
export function goBuildEnv(base: NodeJS.ProcessEnv, options: GoEnvOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    GOPATH: options.dirs.gopath,
    GOMODCACHE: options.dirs.modcache,
    GOCACHE: options.dirs.buildcache,
    GOBIN: options.gobin,
    GOFLAGS: '-modcacherw',
    GOTOOLCHAIN: 'local',
    GOWORK: 'off',
    CGO_ENABLED: '1',
    PATH: [...(options.pathFirst ?? []), base.PATH ?? ''].filter(Boolean).join(delimiter),
    ...options.tools,
    ...options.extra,
  };
  if (options.rustupToolchain && !base.RUSTUP_TOOLCHAIN) env.RUSTUP_TOOLCHAIN = options.rustupToolchain;
  return env;
}

/** The first executable `name` on a PATH string, or undefined. */
export function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** `rustup show active-toolchain` prints e.g. `stable-x86_64-unknown-linux-gnu (default)`. */
export function parseRustupToolchain(output: string): string | undefined {
  const first = output.trim().split(/\s+/)[0];
  return first && !/^error/i.test(first) ? first : undefined;
}

async function activeRustupToolchain(cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (!findOnPath('rustup', env.PATH)) return undefined;
  const result = await run('rustup', ['show', 'active-toolchain'], { cwd, env, timeoutMs: 60_000 }).catch(
    () => undefined,
  );
  return result?.code === 0 ? parseRustupToolchain(result.stdout) : undefined;
}

function tail(result: { stdout: string; stderr: string }, chars = 1500): string {
  return (result.stdout + result.stderr).trim().slice(-chars);
}

/**
 * Builds `spec.module@spec.version` into `<cache>/go/bin/<name>-<version>-<key>/` and returns the
 * executable. A second call finds the `.complete` marker and runs nothing.
 */
export async function installGoBinary(
  cache: string,
  name: string,
  spec: GoBinary,
  log: Logger,
): Promise<InstalledGoBinary> {
  const dir = goBinaryDir(cache, name, spec);
  const bin = join(dir, 'bin');
  const path = join(bin, binaryName(spec.module));
  if (existsSync(join(dir, '.complete'))) return { path, dir, downloaded: false };

  const cargoBin = join(homedir(), '.cargo', 'bin');
  const searchPath = [existsSync(cargoBin) ? cargoBin : '', process.env.PATH ?? ''].filter(Boolean).join(delimiter);
  const missing = ['go', ...(spec.requires ?? [])].filter((command) => !findOnPath(command, searchPath));
  if (missing.length) {
    throw new SluiceError(
      'SLUICE_PREREQUISITE_MISSING',
      `building ${name} ${spec.version} needs ${missing.join(', ')} on PATH`,
      {
        fix: `install ${missing.join(', ')} (a go at least as new as the module's go directive; cargo with rustup), then run up again`,
      },
    );
  }

  log.info(`building ${name} ${spec.version} from source with go install (a cold build takes many minutes)`, {
    component: name,
  });
  rmSync(dir, { recursive: true, force: true });
  const dirs = goDirs(cache);
  for (const d of [bin, dirs.gopath, dirs.modcache, dirs.buildcache]) mkdirSync(d, { recursive: true });
  const logFile = join(dir, 'install.log');
  const transcript: string[] = [];
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, PATH: searchPath };
  const rustupToolchain = await activeRustupToolchain(dir, baseEnv);

  const goInstall = async (label: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> => {
    const result = await run('go', ['install', ...args], { cwd: dir, env, timeoutMs: 90 * 60_000 });
    transcript.push(`$ go install ${args.join(' ')}\n${result.stdout}${result.stderr}`);
    writeFileSync(logFile, transcript.join('\n'));
    if (result.code !== 0) {
      throw new SluiceError('SLUICE_INSTALL_FAILED', `go install ${label} failed: ${tail(result)}`, {
        fix: `read ${logFile}; check that the Go module proxy (go env GOPROXY) and crates.io are reachable, then run up again`,
        details: { logFile },
      });
    }
  };

  const toolVars: Record<string, string> = {};
  const toolsBin = join(dir, 'tools');
  mkdirSync(toolsBin, { recursive: true });
  if (spec.rustcFlags?.length) {
    const wrapper = join(toolsBin, 'rustc-wrapper');
    writeFileSync(wrapper, rustcWrapperScript(spec.rustcFlags), { mode: 0o755 });
    toolVars.RUSTC_WRAPPER = wrapper;
  }
  for (const tool of spec.tools ?? []) {
    const env = goBuildEnv(baseEnv, { dirs, gobin: toolsBin, rustupToolchain, extra: spec.env });
    await goInstall(`${tool.module}@${tool.version}`, [`${tool.module}@${tool.version}`], env);
    if (tool.env) toolVars[tool.env] = join(toolsBin, binaryName(tool.module));
  }

  const ldflags = renderLdflags(spec);
  const env = goBuildEnv(baseEnv, {
    dirs,
    gobin: bin,
    pathFirst: spec.tools?.length ? [toolsBin] : [],
    tools: toolVars,
    rustupToolchain,
    extra: spec.env,
  });
  await goInstall(
    `${spec.module}@${spec.version}`,
    [...(ldflags ? [`-ldflags=${ldflags}`] : []), `${spec.module}@${spec.version}`],
    env,
  );
  if (!existsSync(path)) {
    throw new SluiceError(
      'SLUICE_INSTALL_FAILED',
      `go install ${spec.module}@${spec.version} succeeded but left no ${path}`,
      { details: { logFile } },
    );
  }
  writeFileSync(join(dir, '.complete'), `${new Date().toISOString()} ${spec.module}@${spec.version}\n`);
  return { path, dir, downloaded: true };
}

/** `influxd version` prints e.g. `InfluxDB v1.8.10 (git: 1.8 688e697c)` or `InfluxDB 1.12.4 (git: …)`. */
export function parseInfluxdVersion(output: string): [number, number, number] | undefined {
  const match = /InfluxDB v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** InfluxDB 1.x from 1.8 on (1.8 brought Flux and the /api/v2 compatibility endpoints); 2.x is another API. */
export function isUsableInfluxd(version: [number, number, number] | undefined): boolean {
  return !!version && version[0] === 1 && version[1] >= 8;
}

export interface ResolvedInfluxd extends InstalledGoBinary {
  source: 'path' | 'cache';
  /** What `influxd version` printed, trimmed. */
  version: string;
}

/**
 * The `influxd` to run: one on PATH when `influxd version` says 1.8 or later (and 1.x), else the one
 * built by `installGoBinary` (building it on the first call).
 */
export async function resolveInfluxd(
  cache: string,
  spec: GoBinary,
  log: Logger,
  path = process.env.PATH,
): Promise<ResolvedInfluxd> {
  const onPath = findOnPath('influxd', path);
  if (onPath) {
    const result = await run(onPath, ['version'], { timeoutMs: 30_000 }).catch(() => undefined);
    const printed = result ? (result.stdout + result.stderr).trim() : '';
    if (result?.code === 0 && isUsableInfluxd(parseInfluxdVersion(printed))) {
      return { path: onPath, dir: dirname(onPath), downloaded: false, source: 'path', version: printed };
    }
    log.warn(`ignoring ${onPath}: InfluxDB 1.8+ (1.x) is needed, it says '${printed || 'nothing'}'`, {
      component: 'influxdb',
    });
  }
  const installed = await installGoBinary(cache, 'influxd', spec, log);
  const result = await run(installed.path, ['version'], { timeoutMs: 30_000 });
  return { ...installed, source: 'cache', version: (result.stdout + result.stderr).trim() };
}
