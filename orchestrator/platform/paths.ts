/**
 * Where the platform keeps things. The data dir (default `.sluice/` in the working directory, or
 * SLUICE_HOME) holds everything of one installation: configs, data, logs, pids, certificates, secrets.
 * The install cache (default ~/.cache/sluice, or SLUICE_CACHE_DIR) is shared by every clone, so a
 * second `up` — or a fresh clone on the same machine — downloads nothing.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from '../../lib/repo';

export interface PlatformPaths {
  home: string;
  cache: string;
  config: string;
  data: string;
  logs: string;
  run: string;
  certs: string;
  secrets: string;
  clients: string;
  state: string;
}

export function platformPaths(env: NodeJS.ProcessEnv = process.env): PlatformPaths {
  const home = resolve(env.SLUICE_HOME ?? join(repoRoot(), '.sluice'));
  const cache = resolve(env.SLUICE_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sluice'));
  return {
    home,
    cache,
    config: join(home, 'config'),
    data: join(home, 'data'),
    logs: join(home, 'logs'),
    run: join(home, 'run'),
    certs: join(home, 'certs'),
    secrets: join(home, 'secrets'),
    clients: join(home, 'clients'),
    state: join(home, 'state'),
  };
}
