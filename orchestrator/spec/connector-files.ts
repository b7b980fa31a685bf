/**
 * Reads the connector files the spec names (`connectors[].file`) and checks them with the spec's other
 * issues, before Connect is asked anything: the file is the body of Connect's POST /connectors
 * (`{"name": …, "config": {…}}`), every value a string, a connector class, the topics it reads and its
 * dead-letter topic declared under `topics` (the spec says what each service reads), no `topics.regex`,
 * and no secret written out: a password, token or JAAS value must be a `${NAME}` placeholder. The
 * placeholders stay in the configuration; Connect's client fills them at deploy time.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { messageOf } from '../../lib/errors';
import { placeholdersIn } from '../lib/sql/statements';
import { isRecord } from './path';
import type { LocatedIssue } from './schema-issues';
import { closest } from './suggest';
import type { ConnectorSpec, PipelineSpec, ValidateOptions } from './types';

type Segments = LocatedIssue['segments'];

/** Keys whose value is a secret whatever it holds. */
const SECRET_KEY = /(password|passwd|secret|token|sasl\.jaas\.config|basic\.auth\.user\.info)$/i;
/** Placeholders that stand for a secret. */
const SECRET_PLACEHOLDER = /_(PASSWORD|TOKEN|SECRET)$/;
/** A value made only of placeholders (and nothing written out). */
const ONLY_PLACEHOLDERS = /^(\$\{[A-Z][A-Z0-9_]*\})+$/;

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function isSecretPlaceholder(name: string): boolean {
  return SECRET_PLACEHOLDER.test(name);
}

/** What the file holds, or the issue that says why it is not a connector file. */
function readConnectorFile(
  absolute: string,
  at: Segments,
  issues: LocatedIssue[],
): { name?: unknown; config: Record<string, unknown> } | undefined {
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    issues.push({
      segments: at,
      message: `cannot read ${absolute} (${code === 'ENOENT' ? 'no such file' : (code ?? messageOf(cause))})`,
      fix: 'give the path of a .json file relative to the spec file, e.g. connectors/cassandra-web-access-logs.json',
      ...(code === 'ENOENT' ? { missingFile: absolute } : {}),
    });
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    issues.push({
      segments: at,
      message: `${absolute} is not JSON: ${messageOf(cause)}`,
      fix: 'correct the JSON (a trailing comma, a missing quote)',
    });
    return undefined;
  }
  if (!isRecord(parsed) || !isRecord(parsed.config)) {
    issues.push({
      segments: at,
      message: `${absolute} has no "config" object`,
      fix: 'write the body of POST /connectors: {"name": "<name>", "config": {"connector.class": …}}',
    });
    return undefined;
  }
  return { name: parsed.name, config: parsed.config };
}

export function resolveConnectors(
  spec: PipelineSpec,
  baseDir: string,
  options: ValidateOptions = {},
): { connectorConfigs: ConnectorSpec[]; issues: LocatedIssue[] } {
  const issues: LocatedIssue[] = [];
  const declared = new Set(spec.topics.map((t) => t.name));
  const seen = new Map<string, number>();
  const connectorConfigs: ConnectorSpec[] = [];

  spec.connectors.forEach((connector, i) => {
    const first = seen.get(connector.name);
    if (first !== undefined) {
      issues.push({
        segments: ['connectors', i, 'name'],
        message: `connector '${connector.name}' is declared twice (also connectors[${first}])`,
        fix: 'give each connector its own name',
      });
      return;
    }
    seen.set(connector.name, i);
    const at: Segments = ['connectors', i, 'file'];
    const absolute = resolve(baseDir, connector.file);
    const file = readConnectorFile(absolute, at, issues);
    if (!file) return;
    const where = `${connector.file}`;
    const before = issues.length;

    if (file.name !== undefined && file.name !== connector.name) {
      issues.push({
        segments: at,
        message: `${where} names the connector '${String(file.name)}', the spec '${connector.name}'`,
        fix: `use one name: set "name": "${connector.name}" in the file, or rename connectors[${i}]`,
      });
    }
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(file.config)) {
      if (typeof value === 'string') config[key] = value;
      else if (typeof value === 'number' || typeof value === 'boolean') config[key] = String(value);
      else
        issues.push({
          segments: at,
          message: `${where}: "${key}" is ${value === null ? 'null' : typeof value}, Connect takes only strings`,
          fix: `write it as a string, e.g. "${key}": "…"`,
        });
    }
    if (!config['connector.class']) {
      issues.push({
        segments: at,
        message: `${where} has no "connector.class"`,
        fix: 'name the plugin, e.g. "connector.class": "dev.sluice.connect.CassandraSinkConnector"',
      });
    }
    if (config['name'] !== undefined && config['name'] !== connector.name) {
      issues.push({
        segments: at,
        message: `${where}: config "name" is '${config['name']}', the spec '${connector.name}'`,
        fix: 'remove "name" from the config: deploy-pipeline sets it',
      });
    }
    if (config['topics.regex'] !== undefined) {
      issues.push({
        segments: at,
        message: `${where} reads topics by "topics.regex"`,
        fix: 'list the topics in "topics": the spec declares every topic a service reads, and grants it exactly those',
      });
    }

    const topics = list(config['topics']);
    if (topics.length === 0 && config['topics.regex'] === undefined) {
      issues.push({
        segments: at,
        message: `${where} reads no topic ("topics" is missing or empty)`,
        fix: 'list the topics it reads, comma-separated, in "topics"',
      });
    }
    const deadLetterTopic = config['errors.deadletterqueue.topic.name']?.trim() || undefined;
    for (const topic of [...topics, ...(deadLetterTopic ? [deadLetterTopic] : [])]) {
      if (declared.has(topic)) continue;
      const suggestion = closest(topic, declared);
      issues.push({
        segments: at,
        message: `${where} ${topic === deadLetterTopic ? 'writes dead letters to' : 'reads'} topic '${topic}', which is not declared under topics`,
        fix: `${suggestion ? `did you mean '${suggestion}'? Otherwise ` : ''}declare it under topics, and grant it to the sluice-connect principal`,
      });
    }

    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(config)) {
      const placeholders = placeholdersIn(value);
      const secret = isSecretKey(key) || placeholders.some(isSecretPlaceholder);
      if (secret) secretKeys.push(key);
      if (isSecretKey(key) && value !== '' && !ONLY_PLACEHOLDERS.test(value)) {
        issues.push({
          segments: at,
          message: `${where}: "${key}" is written out; secrets never go into the repository`,
          fix: `use a placeholder that deploy-pipeline fills in, e.g. "${key}": "\${SLUICE_CONNECT_CASSANDRA_PASSWORD}"`,
        });
      }
      for (const name of placeholders) {
        if (!options.connectorPlaceholders || options.connectorPlaceholders.has(name)) continue;
        const suggestion = closest(name, options.connectorPlaceholders);
        issues.push({
          segments: at,
          message: `${where}: "${key}" uses the unknown placeholder \${${name}}`,
          fix: `${suggestion ? `did you mean \${${suggestion}}? ` : ''}use one of: ${[...options.connectorPlaceholders].sort().join(', ')}`,
        });
      }
    }
    if (issues.length > before) return;
    connectorConfigs.push({
      name: connector.name,
      file: connector.file,
      path: `connectors[${i}]`,
      config: { ...config, name: connector.name },
      secretKeys: secretKeys.sort(),
      topics,
      ...(deadLetterTopic ? { deadLetterTopic } : {}),
    });
  });
  return { connectorConfigs, issues };
}
