/**
 * Kafka Connect connectors, one resource each (`connector/<name>`). The desired configuration is the
 * spec's file (a template with `${NAME}` placeholders, `name` added); what Connect echoes back is
 * compared with the template filled in, key by key, so a connector nobody changed is a noop. Connect's
 * validate endpoint judges every desired configuration before the plan is made (observe.ts): a field it
 * refuses refuses the whole plan, naming the field and Connect's message. A connector whose configuration
 * matches but whose instance or tasks FAILED is restarted (failed ones only). Secrets never reach a step:
 * steps carry the template, and a secret's change shows as `(secret)`; the client fills placeholders
 * only in the request it sends.
 */
import { SluiceError } from '../../lib/errors';
import { fillPlaceholders } from '../lib/sql/statements';
import {
  describeStatus,
  hasFailed,
  isAllRunning,
  type ConnectorValidation,
  type ObservedConnector,
} from '../clients/connect-types';
import type { ConnectorSpec } from '../spec/types';
import type { ApplyContext, Change, Provider, StepBase } from './types';

export interface ConnectorStep extends StepBase {
  kind: 'connector';
  name: string;
  /** The spec's file, for messages. */
  file?: string;
  /** The configuration to put (create, update): the spec's template, `${NAME}` placeholders unfilled. */
  config?: Record<string, string>;
  /** Restart the failed connector instance and failed tasks (after putting the configuration, if any). */
  restart?: boolean;
  /** The connector's status when observed: `RUNNING, 2/2 tasks running`. */
  status?: string;
  /** Observed with the connector and all its tasks RUNNING: an unchanged one is then printed only on request. */
  running?: boolean;
}

export const connectorId = (name: string): string => `connector/${name}`;

/** What deploy-pipeline knows of a connector: what Connect runs, and its verdict on the desired configuration. */
export interface ObservedConnectorState {
  connector?: ObservedConnector;
  validation?: ConnectorValidation;
}

export const SECRET_SHOWN_AS = '(secret)';

/** The configuration as Connect should echo it: the template filled in (`name` is part of it). */
export function filledConfig(desired: ConnectorSpec, values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(desired.config).map(([key, value]) => [
      key,
      fillPlaceholders(value, values, `${desired.file} ${key}`),
    ]),
  );
}

/** Keys whose values differ, with values masked when they are secrets. */
export function configChanges(
  filled: Record<string, string>,
  observed: Record<string, string>,
  secret: ReadonlySet<string>,
): Change[] {
  const keys = [...new Set([...Object.keys(filled), ...Object.keys(observed)])].sort();
  const shown = (key: string, value: string | undefined) =>
    value === undefined ? undefined : secret.has(key) ? SECRET_SHOWN_AS : value;
  const changes: Change[] = [];
  for (const key of keys) {
    if (filled[key] === observed[key]) continue;
    const change: Change = { field: key };
    const from = shown(key, observed[key]);
    const to = shown(key, filled[key]);
    if (from !== undefined) change.from = from;
    if (to !== undefined) change.to = secret.has(key) && from !== undefined ? `${SECRET_SHOWN_AS}, changed` : to;
    changes.push(change);
  }
  return changes;
}

function refusal(
  base: Omit<ConnectorStep, 'action' | 'changes'>,
  desired: ConnectorSpec,
  validation: ConnectorValidation,
): ConnectorStep {
  const changes: Change[] = validation.errors.map((e) => ({
    field: e.field,
    refused: `Connect refuses ${desired.file}: ${e.message}`,
  }));
  const reason = `Connect refuses the configuration of ${desired.file}: ${validation.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}. Correct the file (or the platform setting a placeholder stands for)`;
  return { ...base, action: 'refused', changes, reason };
}

export const connectorProvider: Provider<ConnectorSpec, ObservedConnectorState, ConnectorStep> = {
  kind: 'connector',

  desired(spec) {
    return new Map(spec.connectorConfigs.map((c) => [connectorId(c.name), c]));
  },

  observed({ connect }) {
    const out = new Map<string, ObservedConnectorState>();
    for (const connector of connect?.connectors ?? []) out.set(connectorId(connector.name), { connector });
    for (const [name, validation] of Object.entries(connect?.validations ?? {})) {
      const id = connectorId(name);
      out.set(id, { ...out.get(id), validation });
    }
    return out;
  },

  diff(id, desired, observed, context) {
    const name = desired?.name ?? observed?.connector?.name ?? id.slice('connector/'.length);
    const current = observed?.connector;
    const base = {
      kind: 'connector' as const,
      id,
      name,
      ...(current ? { status: describeStatus(current), running: isAllRunning(current) } : {}),
    };
    if (!desired) {
      if (!current) return { ...base, action: 'noop', changes: [] };
      return { ...base, action: 'delete', changes: [{ field: 'connector', from: describeStatus(current) }] };
    }
    const withFile = { ...base, file: desired.file };
    const validation = observed?.validation;
    const secret = new Set([...desired.secretKeys, ...(validation?.passwordFields ?? [])]);
    const filled = filledConfig(desired, context.placeholders ?? {});
    const refused = validation && validation.errors.length > 0;

    if (!current) {
      if (refused) return refusal(withFile, desired, validation);
      const changes: Change[] = [
        { field: 'class', to: desired.config['connector.class']! },
        { field: 'topics', to: desired.topics.join(',') },
        ...(desired.deadLetterTopic ? [{ field: 'dead-letters', to: desired.deadLetterTopic }] : []),
        { field: 'file', to: desired.file },
      ];
      return { ...withFile, action: 'create', config: desired.config, changes };
    }

    const changes = configChanges(filled, current.config, secret);
    if (changes.length > 0) {
      if (refused) return refusal(withFile, desired, validation);
      return { ...withFile, action: 'update', config: desired.config, restart: hasFailed(current), changes };
    }
    if (hasFailed(current)) {
      const failed: Change[] = [
        ...(current.state === 'FAILED' ? [{ field: 'connector', from: 'FAILED', to: 'restart' }] : []),
        ...current.tasks
          .filter((t) => t.state === 'FAILED')
          .map((t) => ({ field: `task ${t.id}`, from: 'FAILED', to: 'restart' })),
      ];
      const reason = current.reason ?? current.tasks.find((t) => t.reason)?.reason;
      return {
        ...withFile,
        action: 'update',
        restart: true,
        changes: failed,
        ...(reason ? { reason: `failed: ${reason}` } : {}),
      };
    }
    return { ...withFile, action: 'noop', changes: [] };
  },

  async create(context, step) {
    await applyConfig(context, step);
  },

  async update(context, step) {
    await applyConfig(context, step);
  },

  async delete({ connect }, step) {
    await connect.deleteConnector(step.name);
  },
};

/** Puts the configuration (if any), restarts what failed, and waits for the connector to settle; a failure is an error. */
async function applyConfig({ connect, log }: ApplyContext, step: ConnectorStep): Promise<void> {
  if (step.config) await connect.putConfig(step.name, step.config);
  let status = step.config ? await connect.settledStatus(step.name) : undefined;
  if (step.restart && (!status || hasFailed(status))) {
    await connect.restartFailed(step.name);
    status = await connect.settledStatus(step.name);
  }
  status ??= await connect.settledStatus(step.name);
  log.info(describeStatus(status), { resource: step.id });
  if (hasFailed(status)) {
    throw new SluiceError('SLUICE_CONNECTOR_FAILED', `${step.id} is ${describeStatus(status)}`, {
      path: step.id,
      details: { status },
      fix: `read the whole trace: curl -u "$SLUICE_CONNECT_USER:$SLUICE_CONNECT_PASSWORD" "$SLUICE_CONNECT_URL/connectors/${step.name}/status"; fix the cause, then deploy again (failed tasks are restarted)`,
    });
  }
}
