/**
 * Service principals: one SCRAM-SHA-512 user each, whose password is the local secret `users/<name>`.
 * Kafka stores only a salted hash, so a user whose secret is lost locally gets a new password rather
 * than staying unusable.
 */
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

  async update({ kafka, secrets }, step) {
    // Stored only once Kafka accepted it, so the secret never holds a password Kafka does not have.
    const password = generatePassword();
    await kafka.upsertScramUser(step.user, password);
    secrets.write(secretNameOf(step.user), password);
  },

  async delete({ kafka, secrets }, step) {
    await kafka.deleteScramUser(step.user);
    secrets.remove(secretNameOf(step.user));
  },
};
