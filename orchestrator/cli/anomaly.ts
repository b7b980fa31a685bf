/**
 * `sluice anomaly`: runs the anomaly service (anomaly/service/) in the foreground, as its own principal
 * (pipeline.yaml `anomaly.principal`), until Ctrl-C. `sluice up` runs the same command as the supervised
 * workload `anomaly` (orchestrator/platform/components/anomaly.ts).
 *
 * `sluice alerts`: tails the alerts topic, one readable line per alert (`--json`: the records as JSON
 * lines), from now on or `--from-beginning`, until Ctrl-C or `--max` alerts.
 */
import { randomBytes } from 'node:crypto';
import type { CommandModule } from 'yargs';
import { SluiceError } from '../../lib/errors';
import { createKafka } from '../../lib/kafka/connection';
import { RegistryClient } from '../../lib/registry/client';
import {
  AlertmanagerClient,
  AnomalyService,
  AvroDecoder,
  alertLine,
  annotationsFromEnv,
  serviceConfig,
  type AlertRecord,
} from '../../anomaly/service';
import { assertKafkaRunning } from '../platform/admin';
import { ADMIN_SECRET, ADMIN_USER, kafkaConnection } from '../platform/components/kafka';
import { alertmanagerUrl, monitoringCredentials } from '../platform/components/monitoring';
import { registryUrl } from '../platform/components/registry';
import { createContext } from '../platform/platform';
import { loadSpec } from '../spec';

interface AnomalyArgs {
  spec: string;
  'metrics-port'?: number;
  'alertmanager-url'?: string;
  alertmanager: boolean;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): { signalled: Promise<string>; release: () => void } {
  let release = () => undefined as void;
  const signalled = new Promise<string>((resolve) => {
    const on = (signal: string) => () => resolve(signal);
    const int = on('SIGINT');
    const term = on('SIGTERM');
    process.once('SIGINT', int);
    process.once('SIGTERM', term);
    release = () => {
      process.off('SIGINT', int);
      process.off('SIGTERM', term);
    };
  });
  return { signalled, release };
}

export const anomalyCommand: CommandModule<object, AnomalyArgs> = {
  command: 'anomaly',
  describe:
    'Run the anomaly service in the foreground: watch the windows and patterns of pipeline.yaml anomaly, send alerts',
  builder: (y) =>
    y
      .option('spec', { type: 'string', default: 'pipeline.yaml', describe: 'the pipeline spec (its anomaly section)' })
      .option('metrics-port', {
        type: 'number',
        describe: "port of /metrics, /ready and /incidents (default: the port map's services.anomaly)",
      })
      .option('alertmanager-url', {
        type: 'string',
        describe: "Alertmanager (default: $SLUICE_ALERTMANAGER_URL, else the platform's)",
      })
      .option('alertmanager', {
        type: 'boolean',
        default: true,
        describe: 'send alerts to Alertmanager (--no-alertmanager: only to the alerts topic and InfluxDB)',
      }) as never,
  handler: async (argv) => {
    const spec = loadSpec(argv.spec);
    const config = serviceConfig(spec.anomaly);
    const ctx = createContext();
    assertKafkaRunning(ctx);
    const password = ctx.secrets.read(`users/${config.principal}`);
    if (password === undefined) {
      throw new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', `principal ${config.principal} has no credentials yet`, {
        fix: 'apply the pipeline, which declares it: npm run deploy-pipeline',
      });
    }
    const url = argv['alertmanager-url'] ?? process.env.SLUICE_ALERTMANAGER_URL ?? alertmanagerUrl(ctx);
    const annotations = annotationsFromEnv(process.env, ctx.log);
    const service = new AnomalyService({
      config,
      kafka: createKafka(kafkaConnection(ctx, config.principal, password, config.principal), {
        retries: 10,
        logger: ctx.log,
      }),
      // Reads only: the alerts schema is registered by deploy-pipeline, and the registry lets anyone read.
      registry: new RegistryClient({ url: registryUrl(ctx) }),
      ...(argv.alertmanager
        ? { alertmanager: new AlertmanagerClient({ url, basicAuth: monitoringCredentials(ctx, process.env) }) }
        : {}),
      ...(annotations ? { annotations } : {}),
      metricsPort: argv['metrics-port'] ?? ctx.ports.services.anomaly,
      host: ctx.host,
      // `{grafana}` in the spec's link templates (anomaly.grafanaUrl).
      grafanaUrl: process.env.SLUICE_GRAFANA_URL ?? `http://${ctx.host}:${ctx.ports.grafana}`,
      log: ctx.log,
    });
    const { signalled, release } = untilSignal();
    try {
      await service.start();
      ctx.log.info(
        `ready: metrics and incidents on http://${ctx.host}:${service.httpPort}/metrics, /incidents${argv.alertmanager ? `; alerts to ${url}` : ''}`,
        { component: 'anomaly' },
      );
      await Promise.race([service.done, signalled.then(() => service.stop())]);
    } finally {
      release();
      await service.stop();
    }
  },
};

interface AlertsArgs {
  spec: string;
  topic?: string;
  json?: boolean;
  'from-beginning'?: boolean;
  max?: number;
}

export const alertsCommand: CommandModule<object, AlertsArgs> = {
  command: 'alerts',
  describe: 'Tail the alerts topic: one line per alert (firing, resolved), until Ctrl-C',
  builder: (y) =>
    y
      .option('spec', {
        type: 'string',
        default: 'pipeline.yaml',
        describe: 'the pipeline spec (names the alerts topic)',
      })
      .option('topic', { type: 'string', describe: "the alerts topic (default: the spec's anomaly.alertsTopic)" })
      .option('json', { type: 'boolean', describe: 'print each alert record as one JSON line' })
      .option('from-beginning', {
        type: 'boolean',
        describe: 'start with the oldest alert the topic keeps (default: only new ones)',
      })
      .option('max', { type: 'number', describe: 'exit after this many alerts' }) as never,
  handler: async (argv) => {
    const topic = argv.topic ?? loadSpec(argv.spec).anomaly.alertsTopic;
    const ctx = createContext();
    assertKafkaRunning(ctx);
    const kafka = createKafka(kafkaConnection(ctx, ADMIN_USER, ctx.secrets.read(ADMIN_SECRET) ?? '', 'sluice-alerts'), {
      retries: 5,
      logger: ctx.log,
    });
    const decoder = new AvroDecoder(new RegistryClient({ url: registryUrl(ctx) }));
    // A group of its own that never commits: every run starts where it is told to.
    const consumer = kafka.consumer({
      groupId: `sluice-alerts-${randomBytes(4).toString('hex')}`,
      readUncommitted: false,
      maxWaitTimeInMs: 500,
    });
    const { signalled, release } = untilSignal();
    let seen = 0;
    let reachedMax!: () => void;
    const enough = new Promise<void>((resolve) => (reachedMax = resolve));
    try {
      if (!argv.json)
        process.stderr.write(
          `tailing ${topic}${argv['from-beginning'] ? ' from the beginning' : ''} (Ctrl-C to stop)\n`,
        );
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: argv['from-beginning'] === true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          if (!message.value || (argv.max !== undefined && seen >= argv.max)) return;
          const alert = (await decoder.decode(message.value)).value as unknown as AlertRecord;
          process.stdout.write(`${argv.json ? JSON.stringify(alert) : alertLine(alert)}\n`);
          if (argv.max !== undefined && ++seen >= argv.max) reachedMax();
        },
      });
      await Promise.race([signalled, enough]);
    } finally {
      release();
      await consumer.disconnect();
    }
  },
};
