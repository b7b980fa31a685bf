/**
 * Service principals: one SCRAM-SHA-512 user each, whose password is the local secret `users/<name>`.
 * Kafka stores only a salted hash, so a user whose secret is lost locally gets a new password rather
 * than staying unusable.
 */
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { generatePassword } from '../lib/secrets';
import type { SecretStore } from '../lib/secrets';
import type { Provider, StepBase } from './types';

export interface PrincipalStep extends StepBase {
  kind: 'principal';
  user: string;
}

export const principalId = (name: string): string => `principal/${name}`;
export const secretNameOf = (user: string): string => `users/${user}`;

/** The `hasSecret` a plan needs, answered by a secret store. */
export function hasSecretIn(secrets: SecretStore): (secretName: string) => boolean {
  return (secretName) => secrets.read(secretName) !== undefined;
}

const MECHANISM = 'SCRAM-SHA-512';

/**
 * Removes `<clientFilesDir>/<user>/` (kcat.properties, client.properties: `sluice platform env --user <user>`
 * writes them with the password in them), so no file keeps a password Kafka no longer accepts.
 */
export function removeClientFiles(clientFilesDir: string | undefined, user: string): void {
  // A user name that is not one path segment never names a folder of client files.
  if (clientFilesDir === undefined || user !== basename(user) || user === '.' || user === '..') return;
  rmSync(join(clientFilesDir, user), { recursive: true, force: true });
}

export const principalProvider: Provider<{ user: string }, { user: string }, PrincipalStep> = {
  kind: 'principal',

  desired(spec) {
    return new Map(spec.principals.map((p) => [principalId(p.name), { user: p.name }]));
  },

  observed({ kafka: cluster }) {
    return new Map(cluster.scramUsers.map((user) => [principalId(user), { user }]));
  },

  diff(id, desired, observed, context) {
    const user = desired?.user ?? observed?.user ?? id.slice('principal/'.length);
    if (!desired)
      return { kind: 'principal', id, user, action: 'delete', changes: [{ field: 'credential', from: MECHANISM }] };
    if (!observed)
      return { kind: 'principal', id, user, action: 'create', changes: [{ field: 'credential', to: MECHANISM }] };
    if (!context.hasSecret(secretNameOf(user))) {
      return {
        kind: 'principal',
        id,
        user,
        action: 'update',
        // Never the password itself: plans are printed and logged.
        changes: [{ field: 'password', to: `new, stored in secret ${secretNameOf(user)}` }],
        reason: 'password not known locally',
      };
    }
    return { kind: 'principal', id, user, action: 'noop', changes: [] };
  },

  async create({ kafka, secrets }, step) {
    // Reuses a secret left from an earlier attempt, so clients already configured with it keep working.
    await kafka.upsertScramUser(step.user, secrets.ensure(secretNameOf(step.user)));
  },

  async update({ kafka, secrets, clientFilesDir }, step) {
    // Stored only once Kafka accepted it, so the secret never holds a password Kafka does not have.
    const password = generatePassword();
    await kafka.upsertScramUser(step.user, password);
    secrets.write(secretNameOf(step.user), password);
    // The old password's files; `sluice platform env --user <user>` writes them again with the new one.
    removeClientFiles(clientFilesDir, step.user);
  },

  async delete({ kafka, secrets, clientFilesDir }, step) {
    await kafka.deleteScramUser(step.user);
    secrets.remove(secretNameOf(step.user));
    removeClientFiles(clientFilesDir, step.user);
  },
};
