/**
 * API keys come from the environment, or from a `.env` file (dotenv) that never overrides what the
 * environment already sets. Keys are only ever read here and handed to the API's HTTP client, which
 * redacts them; a missing key disables its ingestor with a message that says where to get one.
 */
import { existsSync } from 'node:fs';
import { config } from 'dotenv';
import { SluiceError } from '../../../lib/errors';
import type { ApiDescriptor } from './types';

/** Loads `file` into `env` (keys already set win); false when there is no such file. */
export function loadDotEnv(file: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!existsSync(file)) return false;
  config({ path: file, processEnv: env as Record<string, string>, quiet: true, override: false });
  return true;
}

export function apiKey(descriptor: ApiDescriptor, env: NodeJS.ProcessEnv): string | undefined {
  if (!descriptor.keyEnv) return undefined;
  const value = env[descriptor.keyEnv]?.trim();
  return value ? value : undefined;
}

/** The key of an API that needs one; SLUICE_API_KEY_MISSING when it is not set. */
export function requireApiKey(descriptor: ApiDescriptor, env: NodeJS.ProcessEnv): string | undefined {
  if (!descriptor.keyEnv) return undefined;
  const key = apiKey(descriptor, env);
  if (key !== undefined) return key;
  throw new SluiceError(
    'SLUICE_API_KEY_MISSING',
    `the ${descriptor.name} ingestor (${descriptor.title}) is disabled: ${descriptor.keyEnv} is not set`,
    {
      path: descriptor.keyEnv,
      fix: `put ${descriptor.keyEnv}=<key> in .env at the repository root (or export it)${descriptor.keyHelp ? `; ${descriptor.keyHelp}` : ''}`,
    },
  );
}
