import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSluiceError } from '../../lib/errors';
import { createLogger } from '../../lib/log';
import type { ConnectAdmin, ConnectorValidation, ObservedConnector } from '../clients/connect-types';
import { applyPlan } from '../plan/apply';
import { planPipeline } from '../plan/plan';
import { renderPlan } from '../plan/render';
import { fakeKafkaAdmin, fakeRegistry, memorySecretStore } from '../plan/testing/fakes';
import { validateSpec } from '../spec/validate';
import type { ConnectorSpec, PipelineSpec } from '../spec/types';
import { connectorProvider } from './connector';
import type { ConnectorStep } from './connector';
import type { DiffContext, ObservedState } from './types';

const PASSWORD = 's3cr3t-Cassandra-pw';
const placeholders = { SLUICE_CASSANDRA_CONTACT_POINT: '127.0.0.1:29160', SLUICE_CONNECT_CASSANDRA_PASSWORD: PASSWORD };

const desired = (extra: Record<string, string> = {}): ConnectorSpec => ({
  name: 'cassandra-iot',
  file: 'connectors/cassandra-iot.json',
  path: 'connectors[0]',
  config: {
    name: 'cassandra-iot',
    'connector.class': 'dev.sluice.connect.CassandraSinkConnector',
    topics: 'iot.readings',
    'cassandra.contact.points': '${SLUICE_CASSANDRA_CONTACT_POINT}',
    'cassandra.password': '${SLUICE_CONNECT_CASSANDRA_PASSWORD}',
    'errors.deadletterqueue.topic.name': 'dlq.iot',
    ...extra,
  },
  secretKeys: ['cassandra.password'],
  topics: ['iot.readings'],
  deadLetterTopic: 'dlq.iot',
});

/** What Connect echoes back for a connector created from `spec` with the placeholders above. */
const running = (spec: ConnectorSpec, overrides: Partial<ObservedConnector> = {}): ObservedConnector => ({
  name: spec.name,
  config: Object.fromEntries(
    Object.entries(spec.config).map(([k, v]) => [
      k,
      v
        .replace('${SLUICE_CASSANDRA_CONTACT_POINT}', '127.0.0.1:29160')
        .replace('${SLUICE_CONNECT_CASSANDRA_PASSWORD}', PASSWORD),
    ]),
  ),
  state: 'RUNNING',
  tasks: [{ id: 0, state: 'RUNNING' }],
  ...overrides,
});

const ok: ConnectorValidation = { errors: [], passwordFields: ['cassandra.password'] };
const context: DiffContext = { brokerCount: 3, prune: false, managed: new Set(), hasSecret: () => true, placeholders };
const state = (
  connectors: ObservedConnector[],
  validations: Record<string, ConnectorValidation> = { 'cassandra-iot': ok },
): ObservedState => ({
  kafka: { brokerCount: 3, topics: [], scramUsers: [], acls: [] },
  subjects: [],
  sqlJobs: [],
  connect: { connectors, validations },
});
const diff = (
  spec: ConnectorSpec | undefined,
  connectors: ObservedConnector[],
  validations?: Record<string, ConnectorValidation>,
  ctx = context,
): ConnectorStep =>
  connectorProvider.diff(
    'connector/cassandra-iot',
    spec,
    connectorProvider.observed(state(connectors, validations)).get('connector/cassandra-iot'),
    ctx,
  );

describe('connector provider diff', () => {
  it('creates a connector Connect does not have, carrying the template (never the filled secret)', () => {
    const step = diff(desired(), []);
    expect(step).toMatchObject({
      action: 'create',
      changes: [
        { field: 'class', to: 'dev.sluice.connect.CassandraSinkConnector' },
        { field: 'topics', to: 'iot.readings' },
        { field: 'dead-letters', to: 'dlq.iot' },
        { field: 'file', to: 'connectors/cassandra-iot.json' },
      ],
    });
    expect(step.config!['cassandra.password']).toBe('${SLUICE_CONNECT_CASSANDRA_PASSWORD}');
    expect(JSON.stringify(step)).not.toContain(PASSWORD);
  });

  it('finds nothing to do when what Connect echoes (name included) is the filled template, and reports the status', () => {
    expect(diff(desired(), [running(desired())])).toMatchObject({
      action: 'noop',
      changes: [],
      status: 'RUNNING, 1/1 tasks running',
      running: true,
    });
  });

  it('says how many tasks run, and which do not and why (issue 11: `tasks: 0 RUNNING` read as none)', () => {
    const two = running(desired(), {
      tasks: [
        { id: 0, state: 'RUNNING' },
        { id: 1, state: 'RUNNING' },
      ],
    });
    expect(diff(desired(), [two])).toMatchObject({ status: 'RUNNING, 2/2 tasks running', running: true });
    const paused = running(desired(), {
      tasks: [
        { id: 0, state: 'RUNNING' },
        { id: 1, state: 'PAUSED' },
      ],
    });
    expect(diff(desired(), [paused])).toMatchObject({
      action: 'noop',
      status: 'RUNNING, 1/2 tasks running; task 1 PAUSED',
      running: false,
    });
    expect(diff(desired(), [running(desired(), { tasks: [] })]).status).toBe('RUNNING, no tasks');
  });

  it('updates only the keys that differ, and masks a secret that changed', () => {
    const before = running(desired({ 'retry.backoff.ms': '1000' }));
    before.config['cassandra.password'] = 'an-old-password';
    const step = diff(desired({ 'retry.backoff.ms': '5000' }), [before]);
    expect(step.action).toBe('update');
    expect(step.changes).toEqual([
      { field: 'cassandra.password', from: '(secret)', to: '(secret), changed' },
      { field: 'retry.backoff.ms', from: '1000', to: '5000' },
    ]);
    expect(JSON.stringify(step)).not.toContain(PASSWORD);
    expect(JSON.stringify(step)).not.toContain('an-old-password');
  });

  it('removes keys the file no longer has, and masks keys the plugin declares as passwords', () => {
    const before = running(desired({ 'influx.token': 'tok-123' }));
    const step = diff(desired(), [before], { 'cassandra-iot': { errors: [], passwordFields: ['influx.token'] } });
    expect(step.changes).toEqual([{ field: 'influx.token', from: '(secret)' }]);
  });

  it('restarts failed tasks of a connector whose configuration matches, with the reason', () => {
    const failed = running(desired(), {
      tasks: [
        { id: 0, state: 'RUNNING' },
        { id: 1, state: 'FAILED', reason: 'cannot prepare the statement' },
      ],
    });
    expect(diff(desired(), [failed])).toMatchObject({
      action: 'update',
      restart: true,
      changes: [{ field: 'task 1', from: 'FAILED', to: 'restart' }],
      reason: 'failed: cannot prepare the statement',
    });
    expect(diff(desired(), [failed]).config).toBeUndefined();
  });

  it('refuses a configuration Connect refuses, with the field and its message', () => {
    const refused = {
      'cassandra-iot': {
        errors: [{ field: 'cassandra.cql', message: 'the statement must be an INSERT or UPDATE' }],
        passwordFields: [],
      },
    };
    const step = diff(desired({ 'cassandra.cql': 'SELECT 1' }), [], refused);
    expect(step).toMatchObject({
      action: 'refused',
      changes: [
        {
          field: 'cassandra.cql',
          refused: 'Connect refuses connectors/cassandra-iot.json: the statement must be an INSERT or UPDATE',
        },
      ],
    });
    expect(step.reason).toMatch(
      /^Connect refuses the configuration of connectors\/cassandra-iot\.json: cassandra\.cql: the statement must be an INSERT or UPDATE/,
    );
    // An unchanged connector is not refused for what Connect would say now.
    expect(diff(desired(), [running(desired())], refused).action).toBe('noop');
  });

  it('deletes a connector that left the spec, saying how it ran', () => {
    expect(diff(undefined, [running(desired())])).toMatchObject({
      action: 'delete',
      changes: [{ field: 'connector', from: 'RUNNING, 1/1 tasks running' }],
    });
  });
});

describe('connectors in a plan', () => {
  const spec = (connectors: ConnectorSpec[]): PipelineSpec => ({
    ...validateSpec({ apiVersion: 'sluice/v1', name: 'demo' }).spec!,
    connectorConfigs: connectors,
  });

  /** A Connect that keeps configurations in memory, fills placeholders like the real client, and records calls. */
  function fakeConnect(
    statusAfterPut: Partial<ObservedConnector> = {},
  ): ConnectAdmin & { calls: string[]; configs: Map<string, Record<string, string>> } {
    const configs = new Map<string, Record<string, string>>();
    const calls: string[] = [];
    const fill = (config: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(config).map(([k, v]) => [
          k,
          v.replace(/\$\{(\w+)\}/g, (_, n: string) => (placeholders as Record<string, string>)[n]!),
        ]),
      );
    return {
      calls,
      configs,
      listConnectors: async () =>
        [...configs].map(([name, config]) => ({
          name,
          config,
          state: 'RUNNING',
          tasks: [{ id: 0, state: 'RUNNING' }],
        })),
      validate: async () => ok,
      putConfig: async (name, config) => {
        calls.push(`put(${name}, ${config['cassandra.password']})`);
        configs.set(name, fill(config));
      },
      restartFailed: async (name) => void calls.push(`restart(${name})`),
      deleteConnector: async (name) => {
        calls.push(`delete(${name})`);
        configs.delete(name);
      },
      settledStatus: async (name) => ({
        name,
        config: {},
        state: 'RUNNING',
        tasks: [{ id: 0, state: 'RUNNING' }],
        ...statusAfterPut,
      }),
    };
  }

  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sluice-connector-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function planAndApply(
    connect: ReturnType<typeof fakeConnect>,
    connectors: ConnectorSpec[],
    lines: string[] = [],
  ) {
    const observed: ObservedState = {
      kafka: { brokerCount: 3, topics: [], scramUsers: [], acls: [] },
      subjects: [],
      sqlJobs: [],
      connect: { connectors: await connect.listConnectors(), validations: { 'cassandra-iot': ok } },
    };
    const plan = planPipeline(spec(connectors), observed, {
      managed: new Set(['connector/cassandra-iot']),
      prune: true,
      hasSecret: () => true,
      placeholders,
    });
    const log = createLogger({ level: 'info', format: 'text', write: (line) => lines.push(line) });
    if (plan.hasChanges)
      await applyPlan(plan, {
        kafka: fakeKafkaAdmin(),
        registry: fakeRegistry(),
        connect,
        secrets: memorySecretStore(),
        log,
        managedStateFile: join(dir, 'state.json'),
      });
    return plan;
  }

  it('puts the template (the client fills it), logs the status, and a second plan changes nothing; neither shows a secret', async () => {
    const connect = fakeConnect();
    const lines: string[] = [];
    const first = await planAndApply(connect, [desired()], lines);
    expect(connect.calls).toEqual(['put(cassandra-iot, ${SLUICE_CONNECT_CASSANDRA_PASSWORD})']);
    expect(lines).toEqual(['connector/cassandra-iot: create', 'connector/cassandra-iot: RUNNING, 1/1 tasks running']);
    expect(renderPlan(first)).toContain('+ connector/cassandra-iot');
    const second = await planAndApply(connect, [desired()]);
    expect(second.hasChanges).toBe(false);
    // Unchanged and running: said only when asked (--verbose).
    expect(renderPlan(second)).toBe('No changes. The cluster matches demo.');
    expect(renderPlan(second, { verbose: true }).split('\n')[0]).toMatch(
      /^ {4}connector\/cassandra-iot +noop +RUNNING, 1\/1 tasks running$/,
    );
    for (const text of [
      renderPlan(first),
      renderPlan(second),
      JSON.stringify(first),
      JSON.stringify(second),
      lines.join('\n'),
    ])
      expect(text).not.toContain(PASSWORD);
  });

  it('fails the apply with SLUICE_CONNECTOR_FAILED when a task is FAILED after the put, naming the reason', async () => {
    const connect = fakeConnect({ tasks: [{ id: 0, state: 'FAILED', reason: 'Cassandra refused the credentials' }] });
    const error = await planAndApply(connect, [desired()]).catch((e: unknown) => e);
    expect(isSluiceError(error, 'SLUICE_APPLY_FAILED')).toBe(true);
    const cause = (error as { cause?: unknown }).cause;
    expect(isSluiceError(cause, 'SLUICE_CONNECTOR_FAILED')).toBe(true);
    expect((cause as Error).message).toBe(
      'connector/cassandra-iot is RUNNING, 0/1 tasks running; task 0 FAILED (Cassandra refused the credentials)',
    );
    // The put came first; the failed task was restarted once only when the step asked for it.
    expect(connect.calls).toEqual(['put(cassandra-iot, ${SLUICE_CONNECT_CASSANDRA_PASSWORD})']);
  });

  it('deletes a managed connector that left the spec, with --prune', async () => {
    const connect = fakeConnect();
    await planAndApply(connect, [desired()]);
    const plan = await planAndApply(connect, []);
    expect(plan.steps.map((s) => [s.id, s.action])).toEqual([['connector/cassandra-iot', 'delete']]);
    expect(connect.calls.at(-1)).toBe('delete(cassandra-iot)');
  });
});
