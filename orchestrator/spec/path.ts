/**
 * Paths into the spec. Issues carry segments (`['topics', 2, 'partitions']`) so the loader can find their
 * line in the YAML, and are shown as `topics[2].partitions`, which reads like the YAML itself.
 */

export type Segment = string | number;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export function formatPath(segments: readonly Segment[]): string {
  if (segments.length === 0) return '(spec)';
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    // Config keys have dots (`retention.ms`); brackets keep the path unambiguous.
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Splits a JSON pointer (ajv's instancePath, `/topics/2/partitions`) into segments. Walks the data so that
 * an array index becomes a number while an object key that happens to be numeric stays a string.
 */
export function pointerToSegments(pointer: string, root: unknown): Segment[] {
  if (pointer === '') return [];
  const segments: Segment[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(key);
      segments.push(index);
      node = node[index];
    } else {
      segments.push(key);
      node = isRecord(node) ? node[key] : undefined;
    }
  }
  return segments;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
