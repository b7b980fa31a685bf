/** Changes to recorded payloads that tests make: fields an API might add, or drop. */

/** A deep copy with an unknown field (of an unknown shape) added to every object. */
export function withExtraFields<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withExtraFields) as T;
  if (value !== null && typeof value === 'object') {
    const copy = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withExtraFields(v)]));
    return { ...copy, added_by_a_later_api_version: { nested: [1, 'two', null] }, zz_flag: true } as T;
  }
  return value;
}

/** A deep copy without the value at `path`. */
export function without<T>(value: T, path: ReadonlyArray<string | number>): T {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  delete node[path[path.length - 1]!];
  return copy as T;
}

/** A deep copy with the value at `path` replaced. */
export function replaced<T>(value: T, path: ReadonlyArray<string | number>, next: unknown): T {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = next;
  return copy as T;
}
