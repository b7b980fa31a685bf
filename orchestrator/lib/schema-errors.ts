/**
 * ajv's errors as one line each, `where: what` (`targets.prod.kafka.passwordFile: missing`), for the small
 * files Sluice reads besides the spec (the targets file, the topology); the spec has its own, richer
 * report (orchestrator/spec/schema-issues.ts).
 */
import type { ErrorObject } from 'ajv';

/** `/targets/prod/kafka` → `targets.prod.kafka`; array indexes as `[0]`. */
export function pointerPath(pointer: string, child?: string): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) segments.push(child);
  return segments.reduce((out, s) => (/^\d+$/.test(s) ? `${out}[${s}]` : out ? `${out}.${s}` : s), '');
}

/**
 * One line per schema error: where, and what is wrong there. `nameRule` says what a key of a map with
 * `propertyNames` must be.
 */
export function describeSchemaErrors(errors: readonly ErrorObject[], nameRule = 'not a valid name'): string[] {
  const lines = errors.flatMap((e): string[] => {
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required':
        return [`${pointerPath(e.instancePath, String(params.missingProperty))}: missing`];
      case 'additionalProperties':
        return [`${pointerPath(e.instancePath, String(params.additionalProperty))}: unknown key`];
      case 'propertyNames':
        return [`${pointerPath(e.instancePath, String(params.propertyName))}: ${nameRule}`];
      case 'enum':
        return [
          `${pointerPath(e.instancePath) || '(top)'}: must be one of ${(params.allowedValues as unknown[]).join(', ')}`,
        ];
      default:
        // propertyNames reports its own line; the error of the name's own schema says nothing more.
        if (e.propertyName !== undefined) return [];
        return [`${pointerPath(e.instancePath) || '(top)'}: ${e.message ?? 'invalid'}`];
    }
  });
  return [...new Set(lines)];
}
