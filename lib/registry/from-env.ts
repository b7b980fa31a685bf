/** A registry client from the variables `sluice platform env` prints. */
import { readFileSync } from 'node:fs';
import { SluiceError } from '../errors';
import { RegistryClient } from './client';

export function registryFromEnv(env: NodeJS.ProcessEnv = process.env): RegistryClient {
  const url = env.SLUICE_REGISTRY_URL;
  if (!url) {
    throw new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', 'SLUICE_REGISTRY_URL is not set', {
      fix: 'load the platform settings: eval "$(npx sluice platform env)"',
    });
  }
  const passwordFile = env.SLUICE_REGISTRY_PASSWORD_FILE;
  return new RegistryClient({
    url,
    ...(env.SLUICE_REGISTRY_USER ? { username: env.SLUICE_REGISTRY_USER } : {}),
    ...(passwordFile ? { password: readFileSync(passwordFile, 'utf8').trim() } : {}),
  });
}
