/**
 * Observed state of Kafka Connect as deploy-pipeline reads it, and what the connector provider may ask
 * of Connect. Kept free of HTTP: orchestrator/clients/connect.ts implements it over the REST API.
 */

/** `RUNNING`, `FAILED`, `PAUSED`, `STOPPED`, `UNASSIGNED`, `RESTARTING`. */
export type ConnectState = string;

export interface ObservedTask {
  id: number;
  state: ConnectState;
  /** The first line of the stack trace of a failed task: its reason. */
  reason?: string;
}

export interface ObservedConnector {
  name: string;
  /** The configuration Connect holds, as it echoes it back (`name` included). */
  config: Record<string, string>;
  state: ConnectState;
  reason?: string;
  tasks: ObservedTask[];
}

export interface ConnectorConfigError {
  /** The configuration key, e.g. `cassandra.cql`. */
  field: string;
  message: string;
}

export interface ConnectorValidation {
  errors: ConnectorConfigError[];
  /** Keys the plugin declares as passwords: their values are never shown. */
  passwordFields: string[];
}

export interface ConnectAdmin {
  /** Every connector with its configuration and status. */
  listConnectors(): Promise<ObservedConnector[]>;
  /** The plugin's verdict on a configuration, before anything is applied (`${NAME}` placeholders are filled first). */
  validate(config: Record<string, string>): Promise<ConnectorValidation>;
  /** Creates or replaces the connector's configuration (idempotent). */
  putConfig(name: string, config: Record<string, string>): Promise<void>;
  /** Restarts the failed connector instance and failed tasks. */
  restartFailed(name: string): Promise<void>;
  deleteConnector(name: string): Promise<void>;
  /** The connector's status once it has settled (no task UNASSIGNED or RESTARTING), or as it is after `timeoutMs`. */
  settledStatus(name: string, timeoutMs?: number): Promise<ObservedConnector>;
}

/**
 * What plans and logs say of a connector's status: `RUNNING, 2/2 tasks running`, or, when a task is not
 * running, which one and why: `RUNNING, 1/2 tasks running; task 1 FAILED (reason)`.
 */
export function describeStatus(status: Pick<ObservedConnector, 'state' | 'tasks' | 'reason'>): string {
  const running = status.tasks.filter((t) => t.state === 'RUNNING').length;
  const others = status.tasks
    .filter((t) => t.state !== 'RUNNING')
    .map((t) => `task ${t.id} ${t.state}${t.reason ? ` (${t.reason})` : ''}`);
  const tasks =
    status.tasks.length === 0
      ? 'no tasks'
      : `${running}/${status.tasks.length} tasks running${others.length > 0 ? `; ${others.join(', ')}` : ''}`;
  return `${status.state}${status.reason ? ` (${status.reason})` : ''}, ${tasks}`;
}

/** The connector and every one of its tasks run: nothing to say about it in a plan unless asked. */
export const isAllRunning = (status: Pick<ObservedConnector, 'state' | 'tasks'>): boolean =>
  status.state === 'RUNNING' && status.tasks.every((t) => t.state === 'RUNNING');

export const hasFailed = (status: Pick<ObservedConnector, 'state' | 'tasks'>): boolean =>
  status.state === 'FAILED' || status.tasks.some((t) => t.state === 'FAILED');
