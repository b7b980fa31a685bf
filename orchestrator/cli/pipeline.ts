/**
 * `sluice plan` and `sluice deploy-pipeline`: the pipeline spec against a target (the local platform, or a
 * cluster of the targets file with --target),
 * Terraform-style. The spec is validated before any connection is made, so a bad spec changes nothing.
 */
import type { Argv, CommandModule } from 'yargs';
import { SluiceError } from '../../lib/errors';
import type { Logger } from '../../lib/log';
import { applyPlan, hasSecretIn, loadManagedState, planPipeline, renderPlan, type Plan } from '../plan';
import { observeState, type Observers } from '../plan/observe';
import type { PlatformContext } from '../platform/component';
import { kafkaNodes } from '../platform/components/kafka';
import { loadSpec, type PipelineSpec } from '../spec';
import { targetClients } from '../targets/clients';
import { localTarget, stateFileOf, type Target } from '../targets/target';
import { targetOf, withTargetOptions, type TargetArgs } from './target-option';

export interface PipelineArgs extends TargetArgs {
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

/** A target, or the local platform of a context (what callers before targets pass). */
export type TargetOrContext = Target | PlatformContext;

function asTarget(where: TargetOrContext): Target {
  return 'paths' in where ? localTarget(where) : where;
}

export function managedStateFile(where: TargetOrContext, spec: PipelineSpec): string {
  return stateFileOf(asTarget(where), `${spec.name}.json`);
}

/**
 * Refuses a bad spec, every issue at once, before anything is asked of the cluster; the local
 * platform's node count stands in for the broker count until the cluster says otherwise.
 */
export function checkSpecFile(specFile: string): void {
  loadSpec(specFile, { brokerCount: kafkaNodes.length });
}

/** Plans a spec (checked with checkSpecFile) against the target, validating it with the real broker count. */
export async function preparePlan(
  where: TargetOrContext,
  clients: Observers,
  specFile: string,
  prune: boolean,
): Promise<PreparedPlan> {
  const target = asTarget(where);
  const cluster = await clients.kafka.observe();
  const placeholders = target.connectorPlaceholders();
  const spec = loadSpec(specFile, {
    brokerCount: cluster.brokerCount,
    connectorPlaceholders: new Set(Object.keys(placeholders)),
  });
  const stateFile = managedStateFile(target, spec);
  const managed = loadManagedState(stateFile);
  const observed = await observeState(spec, clients, managed, cluster);
  const plan = planPipeline(spec, observed, { managed, prune, hasSecret: hasSecretIn(target.secrets), placeholders });
  return { spec, plan, stateFile };
}

/** Plans and applies `specFile` on the target (the local platform of a context); returns the plan that was applied. */
export async function deployPipeline(
  where: TargetOrContext,
  specFile: string,
  options: { prune?: boolean; verbose?: boolean; log: Logger; print?: (text: string) => void },
): Promise<Plan> {
  checkSpecFile(specFile);
  const target = asTarget(where);
  const clients = targetClients(target);
  try {
    const { plan, stateFile } = await preparePlan(target, clients, specFile, options.prune === true);
    options.print?.(renderPlan(plan, { color: process.stdout.isTTY === true, verbose: options.verbose === true }));
    if (plan.hasChanges || plan.refused.length) {
      const clientFilesDir = target.settings.clientFilesDir;
      await applyPlan(plan, {
        ...clients,
        secrets: target.secrets,
        ...(clientFilesDir ? { clientFilesDir } : {}),
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
  withTargetOptions(y)
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
    checkSpecFile(argv.spec);
    const target = targetOf(argv);
    const clients = targetClients(target);
    try {
      const { plan } = await preparePlan(target, clients, argv.spec, argv.prune === true);
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
    const target = targetOf(argv);
    await deployPipeline(target, argv.spec, {
      prune: argv.prune === true,
      verbose: argv.verbose === true,
      log: target.log,
      print: (text) => process.stdout.write(`${text}\n`),
    });
  },
};
