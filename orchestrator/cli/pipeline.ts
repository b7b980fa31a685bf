/**
 * `sluice plan` and `sluice deploy-pipeline`: the pipeline spec against the running platform,
 * Terraform-style. The spec is validated before any connection is made, so a bad spec changes nothing.
 */
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { SluiceError } from '../../lib/errors';
import type { Logger } from '../../lib/log';
import { applyPlan, hasSecretIn, loadManagedState, planPipeline, renderPlan, type Plan } from '../plan';
import { observeState, type Observers } from '../plan/observe';
import type { PlatformContext } from '../platform/component';
import { kafkaNodes } from '../platform/components/kafka';
import { flinkAdmin } from '../platform/components/flink';
import { registryAdmin } from '../platform/components/registry';
import { cassandraAdmin } from '../platform/components/cassandra';
import { influxAdmin } from '../platform/components/influxdb';
import { connectAdmin } from '../platform/components/connect';
import { connectorPlaceholders } from '../platform/connector-env';
import { adminClient, createContext } from '../platform/platform';
import { loadSpec, type PipelineSpec } from '../spec';

export interface PipelineArgs {
  spec: string;
  prune?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export interface PreparedPlan {
  spec: PipelineSpec;
  plan: Plan;
  stateFile: string;
}

export function managedStateFile(ctx: PlatformContext, spec: PipelineSpec): string {
  return join(ctx.paths.state, `${spec.name}.json`);
}

/**
 * Refuses a bad spec, every issue at once, before anything is asked of the cluster; the local
 * platform's node count stands in for the broker count until the cluster says otherwise.
 */
export function checkSpecFile(specFile: string): void {
  loadSpec(specFile, { brokerCount: kafkaNodes.length });
}

/** The platform's admin clients for everything deploy-pipeline manages. */
function observers(ctx: PlatformContext): Observers & { close(): Promise<void> } {
  const kafka = adminClient(ctx);
  const flink = flinkAdmin(ctx);
  const cassandra = cassandraAdmin(ctx);
  const influx = influxAdmin(ctx);
  // Connector configurations are templates: the client fills their placeholders in its requests only.
  const connect = connectAdmin(ctx, connectorPlaceholders(ctx));
  return {
    kafka,
    registry: registryAdmin(ctx),
    ...(flink ? { flink } : {}),
    ...(cassandra ? { cassandra } : {}),
    ...(influx ? { influx } : {}),
    ...(connect ? { connect } : {}),
    close: async () => {
      await cassandra?.close();
      await kafka.close();
    },
  };
}

/** Plans a spec (checked with checkSpecFile) against the platform, validating it with the real broker count. */
export async function preparePlan(
  ctx: PlatformContext,
  clients: Observers,
  specFile: string,
  prune: boolean,
): Promise<PreparedPlan> {
  const cluster = await clients.kafka.observe();
  const placeholders = connectorPlaceholders(ctx);
  const spec = loadSpec(specFile, {
    brokerCount: cluster.brokerCount,
    connectorPlaceholders: new Set(Object.keys(placeholders)),
  });
  const stateFile = managedStateFile(ctx, spec);
  const managed = loadManagedState(stateFile);
  const observed = await observeState(spec, clients, managed, cluster);
  const plan = planPipeline(spec, observed, { managed, prune, hasSecret: hasSecretIn(ctx.secrets), placeholders });
  return { spec, plan, stateFile };
}

/** Plans and applies `specFile`; returns the plan that was applied. */
export async function deployPipeline(
  ctx: PlatformContext,
  specFile: string,
  options: { prune?: boolean; verbose?: boolean; log: Logger; print?: (text: string) => void },
): Promise<Plan> {
  checkSpecFile(specFile);
  const clients = observers(ctx);
  try {
    const { plan, stateFile } = await preparePlan(ctx, clients, specFile, options.prune === true);
    options.print?.(renderPlan(plan, { color: process.stdout.isTTY === true, verbose: options.verbose === true }));
    if (plan.hasChanges || plan.refused.length) {
      await applyPlan(plan, {
        ...clients,
        secrets: ctx.secrets,
        clientFilesDir: ctx.paths.clients,
        log: options.log,
        managedStateFile: stateFile,
      });
      options.print?.(
        `Applied ${plan.specName}: ${plan.counts.create} created, ${plan.counts.update} updated, ${plan.counts.replace} replaced, ${plan.counts.delete} deleted.`,
      );
    }
    return plan;
  } finally {
    await clients.close();
  }
}

/** `--prune` does something different for each command: plan only shows, deploy-pipeline deletes. */
const specOptions = (y: Argv, prune: string) =>
  y
    .option('spec', { type: 'string', default: 'pipeline.yaml', describe: 'the pipeline spec to use' })
    .option('prune', { type: 'boolean', default: false, describe: prune })
    .option('verbose', {
      type: 'boolean',
      default: false,
      describe: 'also list the resources that need no change (a noop line each; connectors with their tasks)',
    });

export const planCommand: CommandModule<object, PipelineArgs & { 'exit-code'?: boolean }> = {
  command: 'plan',
  describe: 'Show what deploy-pipeline would create, update, replace or delete',
  builder: (y) =>
    specOptions(
      y,
      'show what deploy-pipeline --prune would delete (what Sluice made that the spec no longer declares); plan itself deletes nothing',
    )
      .option('json', { type: 'boolean', describe: 'print the plan as JSON' })
      .option('exit-code', { type: 'boolean', describe: 'exit 0 when nothing would change, 2 when something would' }),
  handler: async (argv) => {
    const ctx = createContext();
    checkSpecFile(argv.spec);
    const clients = observers(ctx);
    try {
      const { plan } = await preparePlan(ctx, clients, argv.spec, argv.prune === true);
      process.stdout.write(
        `${argv.json ? JSON.stringify(plan, null, 2) : renderPlan(plan, { color: process.stdout.isTTY === true, verbose: argv.verbose === true })}\n`,
      );
      if (plan.refused.length) {
        throw new SluiceError(
          'SLUICE_PLAN_REFUSED',
          `${plan.refused.length} change(s) cannot be made; deploy-pipeline would refuse this plan`,
          {
            fix: 'see the reason on each refused (!) line',
          },
        );
      }
      if (argv['exit-code'] && plan.hasChanges) process.exitCode = 2;
    } finally {
      await clients.close();
    }
  },
};

export const deployPipelineCommand: CommandModule<object, PipelineArgs> = {
  command: 'deploy-pipeline',
  aliases: ['apply'],
  describe: 'Make the platform match the pipeline spec (prints the plan, then applies it)',
  builder: (y) =>
    specOptions(
      y,
      'also delete what Sluice made that the spec no longer declares: topics, schemas, principals (with their secret and client files), ACLs, SQL jobs, connectors, keyspaces, tables, databases, retention policies and grants; never what it did not make',
    ),
  handler: async (argv) => {
    const ctx = createContext();
    await deployPipeline(ctx, argv.spec, {
      prune: argv.prune === true,
      verbose: argv.verbose === true,
      log: ctx.log,
      print: (text) => process.stdout.write(`${text}\n`),
    });
  },
};
