/**
 * ConnectAdmin over Kafka Connect's REST API, with Basic credentials. Connector configurations are
 * templates: `${NAME}` placeholders (the platform's settings and the connectors' passwords) are filled
 * only in the requests sent to Connect, so plans and logs never hold a secret. HTTP failures become
 * SLUICE_HTTP_ERROR with {method, path, status, body}.
 */
import { SluiceError, messageOf } from '../../lib/errors';
import { fillPlaceholders } from '../lib/sql/statements';
import type { ConnectAdmin, ConnectorValidation, ObservedConnector, ObservedTask } from './connect-types';
import { basicAuthHeader } from '../../lib/basic-auth';

export interface ConnectEndpoint {
  /** The REST API, e.g. http://127.0.0.1:29110 */
  url: string;
  username: string;
  password: string;
  /** Values of the `${NAME}` placeholders of connector configurations. */
  placeholders?: Readonly<Record<string, string>>;
  timeoutMs?: number;
}

interface StatusEntity {
  connector: { state: string; trace?: string };
  tasks: Array<{ id: number; state: string; trace?: string }>;
}

interface ExpandedConnector {
  info: { name: string; config: Record<string, string> };
  status: StatusEntity;
}

interface ValidateEntity {
  error_count: number;
  configs: Array<{ definition: { name: string; type: string }; value: { name: string; errors: string[] } }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The reason in a Connect stack trace: its first line, without the exception's class. */
export function traceReason(trace: string | undefined): string | undefined {
  if (!trace) return undefined;
  const first = trace.split('\n')[0]!.trim();
  return first.replace(/^[\w.$]+(Exception|Error):\s*/, '').slice(0, 300) || undefined;
}

function status(name: string, config: Record<string, string>, entity: StatusEntity): ObservedConnector {
  const tasks: ObservedTask[] = entity.tasks
    .map((t) => {
      const reason = traceReason(t.trace);
      return { id: t.id, state: t.state, ...(reason ? { reason } : {}) };
    })
    .sort((a, b) => a.id - b.id);
  const reason = traceReason(entity.connector.trace);
  return { name, config, state: entity.connector.state, ...(reason ? { reason } : {}), tasks };
}

export class HttpConnectAdmin implements ConnectAdmin {
  private readonly base: string;

  constructor(private readonly endpoint: ConnectEndpoint) {
    this.base = endpoint.url.replace(/\/+$/, '');
  }

  private fill(config: Record<string, string>, where: string): Record<string, string> {
    const values = this.endpoint.placeholders ?? {};
    return Object.fromEntries(
      Object.entries(config).map(([key, value]) => [key, fillPlaceholders(value, values, `${where} ${key}`)]),
    );
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
    accept: number[] = [],
  ): Promise<{ status: number; body: T | undefined }> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          ...basicAuthHeader(this.endpoint.username, this.endpoint.password),
          Accept: 'application/json',
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.endpoint.timeoutMs ?? 60_000),
      });
    } catch (cause) {
      throw new SluiceError('SLUICE_HTTP_ERROR', `${method} ${this.base}${path} failed: ${messageOf(cause)}`, {
        cause,
        retriable: true,
        details: { method, path },
        fix: 'check that Kafka Connect runs: npx sluice platform status',
      });
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    if (response.ok || accept.includes(response.status)) return { status: response.status, body: parsed as T };
    const message =
      typeof parsed === 'object' && parsed !== null && 'message' in parsed
        ? String((parsed as { message: unknown }).message)
        : text.slice(0, 500);
    throw new SluiceError('SLUICE_HTTP_ERROR', `${method} ${path} answered ${response.status}: ${message}`, {
      retriable: response.status >= 500 || response.status === 409,
      details: { method, path, status: response.status, body: parsed },
      ...(response.status === 401 || response.status === 403
        ? {
            fix: 'Connect refused the credentials: they come from the secret store (connect/admin); run npx sluice platform up to render them again',
          }
        : response.status === 409
          ? { fix: 'Connect is rebalancing; run the command again in a few seconds' }
          : {}),
    });
  }

  async listConnectors(): Promise<ObservedConnector[]> {
    const { body } = await this.request<Record<string, ExpandedConnector>>(
      'GET',
      '/connectors?expand=info&expand=status',
    );
    return Object.values(body ?? {})
      .map((c) => status(c.info.name, c.info.config, c.status))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async validate(config: Record<string, string>): Promise<ConnectorValidation> {
    const connectorClass = config['connector.class'];
    if (!connectorClass) return { errors: [{ field: 'connector.class', message: 'is missing' }], passwordFields: [] };
    const path = `/connector-plugins/${encodeURIComponent(connectorClass)}/config/validate`;
    const { status: code, body } = await this.request<ValidateEntity | { message?: string }>(
      'PUT',
      path,
      this.fill(config, config.name ?? connectorClass),
      [400, 404],
    );
    if (code !== 200) {
      const message = (body as { message?: string } | undefined)?.message ?? `Connect answered ${code}`;
      return { errors: [{ field: 'connector.class', message }], passwordFields: [] };
    }
    const entity = body as ValidateEntity;
    const errors = entity.configs.flatMap((c) => c.value.errors.map((message) => ({ field: c.value.name, message })));
    const passwordFields = entity.configs.filter((c) => c.definition.type === 'PASSWORD').map((c) => c.definition.name);
    return { errors, passwordFields };
  }

  async putConfig(name: string, config: Record<string, string>): Promise<void> {
    await this.request('PUT', `/connectors/${encodeURIComponent(name)}/config`, this.fill(config, name));
  }

  async restartFailed(name: string): Promise<void> {
    await this.request('POST', `/connectors/${encodeURIComponent(name)}/restart?includeTasks=true&onlyFailed=true`);
  }

  async deleteConnector(name: string): Promise<void> {
    await this.request('DELETE', `/connectors/${encodeURIComponent(name)}`, undefined, [404]);
  }

  async settledStatus(name: string, timeoutMs = 60_000): Promise<ObservedConnector> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status: code, body } = await this.request<StatusEntity & { name: string }>(
        'GET',
        `/connectors/${encodeURIComponent(name)}/status`,
        undefined,
        [404],
      );
      const observed =
        code === 200 && body ? status(name, {}, body) : { name, config: {}, state: 'UNASSIGNED', tasks: [] };
      const settling = ['UNASSIGNED', 'RESTARTING'];
      // A running connector has settled once it has tasks and none is still being assigned or restarted.
      const settled =
        ['FAILED', 'PAUSED', 'STOPPED'].includes(observed.state) ||
        (!settling.includes(observed.state) &&
          observed.tasks.length > 0 &&
          observed.tasks.every((t) => !settling.includes(t.state)));
      if (settled || Date.now() >= deadline) return observed;
      await sleep(1000);
    }
  }
}
