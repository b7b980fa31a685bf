import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SluiceError } from '../../lib/errors';
import { createLogger } from '../../lib/log';
import type { FlinkAdmin, ObservedSqlJob } from '../clients/flink-types';
import type { ObservedCluster } from '../clients/kafka-types';
import { validateSpec } from '../spec/validate';
import type { PipelineSpec, SqlJobSpec } from '../spec/types';
import { applyPlan } from './apply';
import { observeState } from './observe';
import { planPipeline, type Plan } from './plan';
import { renderPlan } from './render';
import { loadManagedState, saveManagedState } from './state';
import { emptyCluster, fakeKafkaAdmin, fakeRegistry, memorySecretStore } from './testing/fakes';
import type { FakeKafkaAdmin } from './testing/fakes';

function spec(topics: Record<string, unknown>[], principals: Record<string, unknown>[] = []): PipelineSpec {
  const result = validateSpec({ apiVersion: 'sluice/v1', name: 'demo', topics, principals });
  if (!result.spec) throw new Error(JSON.stringify(result.issues));
  return result.spec;
}

const demo = (): PipelineSpec =>
  spec(
    [
      { name: 'web.access-logs', partitions: 6 },
      { name: 'labels.web', partitions: 3 },
    ],
    [{ name: 'sim-web', produces: ['web.access-logs', 'labels.web'] }],
  );

let dir: string;
let stateFile: string;
let logLines: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-apply-'));
  stateFile = join(dir, 'state', 'managed.json');
  logLines = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const log = () => createLogger({ level: 'debug', format: 'text', write: (line) => logLines.push(line) });

async function planAndApply(
  desired: PipelineSpec,
  kafka: FakeKafkaAdmin,
  secrets = memorySecretStore(),
  prune = false,
) {
  const plan = planPipeline(
    desired,
    { kafka: await kafka.observe(), subjects: [], sqlJobs: [] },
    {
      managed: loadManagedState(stateFile),
      prune,
      hasSecret: (name) => secrets.read(name) !== undefined,
    },
  );
  const result = await applyPlan(plan, {
    kafka,
    secrets,
    clientFilesDir: join(dir, 'clients'),
    log: log(),
    registry: fakeRegistry(),
    managedStateFile: stateFile,
    specIds: plan.specIds,
  });
  return { plan, result };
}

/** What `sluice platform env --user <user>` leaves: two files with the user's password in them. */
function writeClientFiles(user: string): string {
  const folder = join(dir, 'clients', user);
  mkdirSync(folder, { recursive: true });
  for (const file of ['kcat.properties', 'client.properties']) writeFileSync(join(folder, file), 'sasl.password=old\n');
  return folder;
}

describe('applyPlan', () => {
  it('refuses the whole plan when one step is refused, before calling Kafka', async () => {
    const kafka = fakeKafkaAdmin({
      ...emptyCluster(),
      topics: [{ name: 'web.access-logs', partitions: 12, replicationFactor: 3, config: {} }],
    });
    const plan = planPipeline(
      demo(),
      { kafka: await kafka.observe(), subjects: [], sqlJobs: [] },
      { managed: new Set(), prune: false, hasSecret: () => false },
    );
    expect(plan.counts.create).toBeGreaterThan(0);

    const error = await applyPlan(plan, {
      kafka,
      secrets: memorySecretStore(),
      log: log(),
      registry: fakeRegistry(),
      managedStateFile: stateFile,
      specIds: plan.specIds,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SluiceError);
    expect((error as SluiceError).code).toBe('SLUICE_PLAN_REFUSED');
    expect((error as SluiceError).message).toBe(
      'the plan has 1 change that cannot be made; nothing was applied:\n' +
        '  - topic/web.access-logs: partitions: Kafka cannot remove partitions from a topic; create a new topic with 6 partitions and migrate, or keep 12',
    );
    expect(kafka.calls).toEqual([]);
    expect(loadManagedState(stateFile).size).toBe(0);
  });

  it('applies the steps in plan order, logs each by resource, and converges', async () => {
    const kafka = fakeKafkaAdmin();
    const secrets = memorySecretStore();
    const { result } = await planAndApply(demo(), kafka, secrets);

    expect(kafka.calls).toEqual([
      'createTopic(web.access-logs)',
      'createTopic(labels.web)',
      'upsertScramUser(sim-web, ***)',
      'createAcls(' +
        [
          'User:sim-web|topic|literal|web.access-logs|write|allow|*',
          'User:sim-web|topic|literal|web.access-logs|describe|allow|*',
          'User:sim-web|topic|literal|labels.web|write|allow|*',
          'User:sim-web|topic|literal|labels.web|describe|allow|*',
        ].join(', ') +
        ')',
    ]);
    expect(result.applied).toEqual(['topic/web.access-logs', 'topic/labels.web', 'principal/sim-web', 'acl/sim-web']);
    expect(logLines.filter((l) => !l.startsWith('DEBUG'))).toEqual([
      'topic/web.access-logs: create',
      'topic/labels.web: create',
      'principal/sim-web: create',
      'acl/sim-web: create',
    ]);
    expect(secrets.read('users/sim-web')).toBeDefined();
    expect(logLines.join('\n')).not.toContain(secrets.read('users/sim-web'));

    const again = planPipeline(
      demo(),
      { kafka: await kafka.observe(), subjects: [], sqlJobs: [] },
      { managed: loadManagedState(stateFile), prune: false, hasSecret: (n) => secrets.read(n) !== undefined },
    );
    expect(again.hasChanges).toBe(false);
  });

  it('saves the managed state: the spec ids and what it still manages, minus what it deleted', async () => {
    const kafka = fakeKafkaAdmin();
    await planAndApply(demo(), kafka);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual({
      managed: ['acl/sim-web', 'principal/sim-web', 'topic/labels.web', 'topic/web.access-logs'],
    });

    // Dropped from the spec without --prune: still managed, still there.
    const smaller = spec([{ name: 'web.access-logs', partitions: 6 }]);
    const { plan } = await planAndApply(smaller, kafka);
    expect(plan.kept).toEqual(['topic/labels.web', 'principal/sim-web', 'acl/sim-web']);
    expect([...loadManagedState(stateFile)].sort()).toEqual([
      'acl/sim-web',
      'principal/sim-web',
      'topic/labels.web',
      'topic/web.access-logs',
    ]);

    // With --prune: deleted in reverse order, and forgotten; the principal's client files go with its secret
    // (issue 11), another identity's stay.
    kafka.calls.length = 0;
    const secrets = memorySecretStore({ 'users/sim-web': 'known' });
    const simWebFiles = writeClientFiles('sim-web');
    const adminFiles = writeClientFiles('admin');
    expect(existsSync(join(simWebFiles, 'kcat.properties'))).toBe(true);
    await planAndApply(smaller, kafka, secrets, true);
    expect(kafka.calls.map((c) => c.replace(/\(.*/, ''))).toEqual(['deleteAcls', 'deleteScramUser', 'deleteTopic']);
    expect(secrets.read('users/sim-web')).toBeUndefined();
    expect(existsSync(simWebFiles)).toBe(false);
    expect(existsSync(join(adminFiles, 'kcat.properties'))).toBe(true);
    expect(existsSync(join(adminFiles, 'client.properties'))).toBe(true);
    expect([...loadManagedState(stateFile)]).toEqual(['topic/web.access-logs']);
  });

  it('never deletes what it does not manage, even with --prune', async () => {
    const foreign: ObservedCluster = {
      ...emptyCluster(),
      topics: [{ name: 'someone-elses', partitions: 1, replicationFactor: 3, config: {} }],
      scramUsers: ['admin', 'connect'],
      acls: [
        {
          principal: 'User:connect',
          resourceType: 'group',
          resourceName: 'connect',
          patternType: 'literal',
          operation: 'read',
          permission: 'allow',
          host: '*',
        },
      ],
    };
    const kafka = fakeKafkaAdmin(foreign);
    saveManagedState(stateFile, ['topic/gone-already']);
    await planAndApply(demo(), kafka, memorySecretStore(), true);
    expect(kafka.calls.filter((c) => c.startsWith('delete'))).toEqual([]);
    expect(kafka.cluster.topics.map((t) => t.name)).toContain('someone-elses');
    // An id whose resource disappeared is forgotten.
    expect(loadManagedState(stateFile).has('topic/gone-already')).toBe(false);
  });

  it('updates partitions and config, and gives a user with a lost secret a new password', async () => {
    const kafka = fakeKafkaAdmin();
    await planAndApply(demo(), kafka);
    kafka.calls.length = 0;
    const bigger = spec(
      [
        { name: 'web.access-logs', partitions: 12, config: { 'retention.ms': 1000 } },
        { name: 'labels.web', partitions: 3 },
      ],
      [{ name: 'sim-web', produces: ['web.access-logs', 'labels.web'] }],
    );
    const secrets = memorySecretStore();
    const oldFiles = writeClientFiles('sim-web');
    await planAndApply(bigger, kafka, secrets);
    // The files held the old password: gone, `platform env --user sim-web` writes them again.
    expect(existsSync(oldFiles)).toBe(false);
    expect(kafka.calls).toEqual([
      'addPartitions(web.access-logs, 12)',
      'replaceTopicConfig(web.access-logs, {"retention.ms":"1000"})',
      'upsertScramUser(sim-web, ***)',
    ]);
    expect(secrets.read('users/sim-web')).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('stops at the first failure, names the resource, and remembers what it created', async () => {
    const kafka = fakeKafkaAdmin();
    kafka.failNext('upsertScramUser', new Error('SASL mechanism not enabled'));
    const error = await planAndApply(demo(), kafka).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SluiceError);
    expect((error as SluiceError).code).toBe('SLUICE_APPLY_FAILED');
    expect((error as SluiceError).message).toBe('principal/sim-web: SASL mechanism not enabled');
    expect((error as SluiceError).cause).toEqual(new Error('SASL mechanism not enabled'));
    expect(kafka.calls.at(-1)).toBe('upsertScramUser(sim-web, ***)');
    expect([...loadManagedState(stateFile)].sort()).toEqual(['topic/labels.web', 'topic/web.access-logs']);
  });

  it('registers schemas, refuses an incompatible one before anything is applied, and accepts a compatible one', async () => {
    const kafka = fakeKafkaAdmin();
    const registry = fakeRegistry();
    const v1 = '{"fields":[{"name":"id","type":"string"}],"name":"E","type":"record"}';
    const v2 =
      '{"fields":[{"name":"id","type":"string"},{"default":0,"name":"n","type":"int"}],"name":"E","type":"record"}';
    const withSchema = (schema: string, extraTopic?: string): PipelineSpec => ({
      ...spec([{ name: 'events', partitions: 1 }, ...(extraTopic ? [{ name: extraTopic, partitions: 1 }] : [])]),
      schemas: [
        {
          subject: 'events-value',
          topic: 'events',
          file: 'e.avsc',
          path: 'topics[0].valueSchema',
          schema,
          compatibility: 'BACKWARD',
        },
      ],
    });
    const run = async (desired: PipelineSpec) => {
      const plan = planPipeline(
        desired,
        await observeState(desired, { kafka, registry }, loadManagedState(stateFile)),
        {
          managed: loadManagedState(stateFile),
          prune: false,
          hasSecret: () => true,
        },
      );
      await applyPlan(plan, { kafka, registry, secrets: memorySecretStore(), log: log(), managedStateFile: stateFile });
      return plan;
    };

    const first = await run(withSchema(v1));
    expect(first.steps.map((s) => [s.id, s.action])).toEqual([
      ['topic/events', 'create'],
      ['schema/events-value', 'create'],
    ]);
    expect(registry.calls).toEqual(['register(events-value)', 'setCompatibility(events-value, BACKWARD)']);
    expect((await run(withSchema(v1))).hasChanges).toBe(false);

    registry.incompatible.set('events-value', 'READER_FIELD_MISSING_DEFAULT_VALUE: n');
    registry.calls.length = 0;
    kafka.calls.length = 0;
    const error = await run(withSchema(v2, 'other')).catch((e: unknown) => e);
    expect((error as SluiceError).code).toBe('SLUICE_PLAN_REFUSED');
    expect((error as SluiceError).message).toContain('READER_FIELD_MISSING_DEFAULT_VALUE: n');
    expect(registry.calls).toEqual([]);
    expect(kafka.calls).toEqual([]);

    registry.incompatible.clear();
    const second = await run(withSchema(v2));
    expect(second.steps.find((s) => s.id === 'schema/events-value')).toMatchObject({
      action: 'update',
      changes: [{ field: 'version', from: 1, to: 2 }, { field: 'file' }],
    });
    expect(registry.versions.get('events-value')).toEqual([v1, v2]);
  });
});

describe('replace', () => {
  const job = (version: string): SqlJobSpec => ({
    name: 'iot-clean',
    file: 'sql/110-iot-clean.sql',
    path: 'sql.jobs[0]',
    parallelism: 1,
    statements: ['INSERT INTO t SELECT 1'],
    tables: [],
    version,
  });
  const recordingFlink = (calls: string[]): FlinkAdmin => ({
    listJobs: async () => [],
    submit: async (s) => {
      calls.push(`submit(${s.name}.${s.version}${s.savepoint ? ` from ${s.savepoint}` : ''})`);
      return 'new-job';
    },
    stopWithSavepoint: async (jobId) => {
      calls.push(`stopWithSavepoint(${jobId})`);
      return 'file:/sp/1';
    },
    forgetSavepoint: async (name) => {
      calls.push(`forgetSavepoint(${name})`);
    },
  });

  it('replaces a SQL job whose SQL changed: stopped with a savepoint, its new SQL submitted from it', async () => {
    const kafka = fakeKafkaAdmin(emptyCluster());
    const desired = { ...spec([]), sqlJobs: [job('bbbbbbbbbbbb')] };
    const observed = { kafka: await kafka.observe(), subjects: [], sqlJobs: [] as ObservedSqlJob[] };
    const options = { managed: new Set<string>(), prune: false, hasSecret: () => true };
    const calls: string[] = [];
    const apply = (plan: Plan) =>
      applyPlan(plan, {
        kafka,
        registry: fakeRegistry(),
        flink: recordingFlink(calls),
        secrets: memorySecretStore(),
        log: log(),
        managedStateFile: stateFile,
      });

    // The positive control: the same version running is left alone.
    observed.sqlJobs = [{ name: 'iot-clean', jobId: 'live', version: 'bbbbbbbbbbbb', state: 'RUNNING', startTime: 1 }];
    const same = planPipeline(desired, observed, options);
    expect(same.hasChanges).toBe(false);
    await apply(same);
    expect(calls).toEqual([]);

    observed.sqlJobs = [{ name: 'iot-clean', jobId: 'live', version: 'aaaaaaaaaaaa', state: 'RUNNING', startTime: 1 }];
    const plan = planPipeline(desired, observed, options);
    expect(plan.counts).toMatchObject({ replace: 1, update: 0, create: 0, delete: 0 });
    expect(renderPlan(plan)).toMatch(
      /± sql-job\/iot-clean\s+replace version: aaaaaaaaaaaa -> bbbbbbbbbbbb; file=sql\/110-iot-clean.sql \(its SQL changed: stop with a savepoint, then resubmit from it\)\n\nPlan: 0 to create, 0 to update, 1 to replace, 0 to delete, 0 refused\.$/,
    );
    expect((await apply(plan)).applied).toEqual(['sql-job/iot-clean']);
    expect(calls).toEqual(['stopWithSavepoint(live)', 'submit(iot-clean.bbbbbbbbbbbb from file:/sp/1)']);
    expect(logLines.some((l) => l.includes('replaced') && l.includes('sql-job/iot-clean'))).toBe(true);
  });

  it('stops rather than half-applies an action its provider does not make', async () => {
    const kafka = fakeKafkaAdmin(emptyCluster());
    const plan = planPipeline(
      demo(),
      { kafka: await kafka.observe(), subjects: [], sqlJobs: [] },
      { managed: new Set(), prune: false, hasSecret: () => false },
    );
    const first = plan.steps[0]!;
    expect(first).toMatchObject({ id: 'topic/web.access-logs', action: 'create' });
    const bogus: Plan = { ...plan, steps: [{ ...first, action: 'replace' }], counts: { ...plan.counts, replace: 1 } };
    const error = await applyPlan(bogus, {
      kafka,
      registry: fakeRegistry(),
      secrets: memorySecretStore(),
      log: log(),
      managedStateFile: stateFile,
    }).catch((e: unknown) => e);
    expect((error as SluiceError).code).toBe('SLUICE_APPLY_FAILED');
    expect((error as SluiceError).message).toBe('topic/web.access-logs: cannot replace topic resources');
    expect(kafka.calls).toEqual([]);
  });

  it('a client of a server the platform does not run fails with what to start, only when a step uses it', async () => {
    const kafka = fakeKafkaAdmin(emptyCluster());
    const desired = { ...spec([]), sqlJobs: [job('bbbbbbbbbbbb')] };
    const plan = planPipeline(
      desired,
      { kafka: await kafka.observe(), subjects: [], sqlJobs: [] },
      { managed: new Set(), prune: false, hasSecret: () => true },
    );
    const error = await applyPlan(plan, {
      kafka,
      registry: fakeRegistry(),
      secrets: memorySecretStore(),
      log: log(),
      managedStateFile: stateFile,
    }).catch((e: unknown) => e);
    expect((error as SluiceError).code).toBe('SLUICE_APPLY_FAILED');
    expect(((error as SluiceError).cause as SluiceError).code).toBe('SLUICE_PLATFORM_NOT_RUNNING');
    expect((error as SluiceError).message).toContain('no Flink cluster is running');
    // The same plan without the job needs no Flink.
    const none = planPipeline(
      spec([{ name: 'events', partitions: 1 }]),
      { kafka: await kafka.observe(), subjects: [], sqlJobs: [] },
      { managed: new Set(), prune: false, hasSecret: () => true },
    );
    await applyPlan(none, {
      kafka,
      registry: fakeRegistry(),
      secrets: memorySecretStore(),
      log: log(),
      managedStateFile: stateFile,
    });
    expect(kafka.calls.length).toBeGreaterThan(0);
  });
});
