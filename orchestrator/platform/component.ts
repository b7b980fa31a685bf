/**
 * What the launcher knows of a component. Each is installed (cached), configured (rendered from the
 * repo's templates), started as a detached daemon, awaited with wait strategies that have timeouts,
 * probed for `status`, and stopped gracefully, then killed.
 */
import type { Logger } from '../../lib/log';
import type { PlatformPaths } from './paths';
import type { PortMap } from './ports';
import type { DaemonSpec } from './processes';
import type { SecretStore } from '../lib/secrets';
import type { WaitStrategy } from './wait';

export interface PlatformContext {
  paths: PlatformPaths;
  ports: PortMap;
  secrets: SecretStore;
  log: Logger;
  /** Address servers bind to and advertise (SLUICE_HOST, default 127.0.0.1). */
  host: string;
  /**
   * The environment the context was made from (createContext's `env`): the settings above come from it,
   * and the daemons the launcher starts inherit it. process.env when absent.
   */
  env?: NodeJS.ProcessEnv;
}

/** The environment of a context: its own, else the process's. */
export function envOf(ctx: PlatformContext): NodeJS.ProcessEnv {
  return ctx.env ?? process.env;
}

export interface ComponentPort {
  name: string;
  port: number;
}

export interface Component {
  name: string;
  /** Components that must be healthy before this one starts. */
  dependsOn: string[];
  ports(ctx: PlatformContext): ComponentPort[];
  /** Installs what the component needs; a no-op when the cache has it. */
  install(ctx: PlatformContext): Promise<void>;
  /** Renders configuration and prepares storage; safe to run on every `up`. */
  configure(ctx: PlatformContext): Promise<void>;
  daemon(ctx: PlatformContext): DaemonSpec;
  /** Strategies that say the component is ready; `logOffset` is where this run's log output starts. */
  ready(ctx: PlatformContext, logOffset: number): WaitStrategy[];
  /** A quick probe for `status`. */
  healthy(ctx: PlatformContext): Promise<boolean>;
  /**
   * Runs once the component is ready, on every `up` (also when it already ran): setup that needs the
   * running server, such as the databases' admin and service users made on first start. Idempotent.
   */
  initialise?(ctx: PlatformContext): Promise<void>;
  stopGraceMs: number;
  /**
   * Runs before `down` stops anything (so the components this one needs still run): Flink's JobManager
   * stops Sluice's jobs with savepoints here, for deploy-pipeline to resume them from.
   */
  beforeStop?(ctx: PlatformContext): Promise<void>;
  /**
   * Whether this machine can run the component at all; a reason when it cannot (Grafana, which no
   * registry here distributes, runs only when a binary is on PATH). `up` skips such a component and says why.
   */
  unavailable?(ctx: PlatformContext): Promise<string | undefined>;
  /**
   * A workload runs the pipeline rather than the platform (the demo simulators): `platform up` leaves it,
   * `sluice up` starts it once deploy-pipeline has made its principals and schemas.
   */
  workload?: boolean;
}

export function pidFileOf(ctx: PlatformContext, name: string): string {
  return `${ctx.paths.run}/${name}.pid`;
}

export function logFileOf(ctx: PlatformContext, name: string): string {
  return `${ctx.paths.logs}/${name}.log`;
}
