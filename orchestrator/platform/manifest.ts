/** Typed access to manifest.json: the one place where component versions are pinned. */
import type { PypiLibrary } from './install/pypi';
import manifestJson from './manifest.json';

export interface SystemCommand {
  apt: string;
  minMajorVersion?: number;
  optional?: boolean;
}

export interface MavenBundle {
  description: string;
  version: string;
  /** groupId:artifactId:version[:type[:classifier]] */
  artifacts: string[];
}

export interface Manifest {
  system: { commands: Record<string, SystemCommand> };
  maven: Record<string, MavenBundle>;
  pypi: Record<string, PypiLibrary>;
  heaps: Record<string, string>;
}

export const manifest: Manifest = manifestJson as unknown as Manifest;

export function mavenBundle(name: string): MavenBundle {
  const bundle = manifest.maven[name];
  if (!bundle) throw new Error(`manifest.json has no maven bundle '${name}'`);
  return bundle;
}

export function heapOf(component: string): string[] {
  return (manifest.heaps[component] ?? '-Xmx256m').split(/\s+/).filter(Boolean);
}

export function pypiLibrary(name: string): PypiLibrary {
  const lib = manifest.pypi[name];
  if (!lib) throw new Error(`manifest.json has no pypi library '${name}'`);
  return lib;
}
