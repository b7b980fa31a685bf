/**
 * Secrets live in files of mode 0600 inside a directory of mode 0700 under the data dir (never in git,
 * never logged). Generated on first need; reading refuses a file others can read.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SluiceError } from '../../lib/errors';

export interface SecretStore {
  /** The secret's value, or undefined when it was never written. */
  read(name: string): string | undefined;
  write(name: string, value: string): void;
  /** Reads the secret, generating and storing a random one first when it does not exist. */
  ensure(name: string): string;
  remove(name: string): void;
  /** The file that holds the secret, for configs that take a password file. */
  pathOf(name: string): string;
}

const NAME = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

export function generatePassword(bytes = 24): string {
  // base64url has no characters that need quoting in JAAS, properties or shell files.
  return randomBytes(bytes).toString('base64url');
}

/** Writes a file that only its owner can read, creating private parent directories. */
export function writePrivateFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600); // writeFileSync keeps the mode of an existing file
}

export function fileSecretStore(dir: string): SecretStore {
  const pathOf = (name: string): string => {
    if (!NAME.test(name)) throw new SluiceError('SLUICE_SECRET_ERROR', `invalid secret name '${name}'`);
    return join(dir, name);
  };
  const read = (name: string): string | undefined => {
    const path = pathOf(name);
    if (!existsSync(path)) return undefined;
    if ((statSync(path).mode & 0o077) !== 0) {
      throw new SluiceError('SLUICE_SECRET_ERROR', `secret file ${path} is readable by others`, {
        fix: `chmod 600 ${path}`,
      });
    }
    return readFileSync(path, 'utf8').trim();
  };
  const write = (name: string, value: string): void => writePrivateFile(pathOf(name), `${value}\n`);
  return {
    read,
    write,
    ensure(name) {
      const existing = read(name);
      if (existing !== undefined) return existing;
      const value = generatePassword();
      write(name, value);
      return value;
    },
    remove(name) {
      const path = pathOf(name);
      if (existsSync(path)) unlinkSync(path);
    },
    pathOf,
  };
}
