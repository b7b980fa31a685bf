/**
 * Client tools for people and tests. Debian's kcat links librdkafka 2.0.2, whose SCRAM handshake Kafka 4
 * rejects (fixed in librdkafka 2.6.1); the wrapper `<data dir>/bin/kcat` runs the same kcat with the
 * pinned librdkafka from PyPI (docs/decisions/0002-kcat-librdkafka.md). `platform env` puts it on PATH.
 */
import { accessSync, chmodSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { PlatformContext } from './component';
import { installPypiLibrary } from './install/pypi';
import { pypiLibrary } from './manifest';

export function toolsBinDir(ctx: PlatformContext): string {
  return join(ctx.paths.home, 'bin');
}

export function kcatWrapperPath(ctx: PlatformContext): string {
  return join(toolsBinDir(ctx), 'kcat');
}

/** The first `kcat` on PATH that is not our own wrapper. */
function systemKcat(binDir: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || resolve(dir) === resolve(binDir)) continue;
    const candidate = join(dir, 'kcat');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Installs the pinned librdkafka and writes the kcat wrapper; returns false when kcat is not installed. */
export async function ensureKcat(ctx: PlatformContext): Promise<boolean> {
  const binDir = toolsBinDir(ctx);
  const kcat = systemKcat(binDir);
  if (!kcat) {
    ctx.log.warn('kcat is not installed; `apt-get install kcat` adds it', { component: 'tools' });
    return false;
  }
  const libDir = await installPypiLibrary(ctx.paths.cache, 'librdkafka', pypiLibrary('librdkafka'), ctx.log);
  mkdirSync(binDir, { recursive: true });
  writeFileSync(
    kcatWrapperPath(ctx),
    [
      '#!/bin/sh',
      "# Written by `sluice platform up`: Debian's kcat with a librdkafka whose SCRAM works against Kafka 4.",
      `LD_LIBRARY_PATH="${libDir}\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "${kcat}" "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(kcatWrapperPath(ctx), 0o755);
  return true;
}
