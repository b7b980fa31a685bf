/**
 * A topology file moved onto the test hosts: each host's address replaced by the test host of the same
 * name (sluice-1 → the first test host …), comments and everything else kept. A host the file names that
 * has no test host, or a test host the file does not name, is an error: the test would place nothing there.
 */
import { parseDocument } from 'yaml';

export function onTestHosts(topologyText: string, addresses: Record<string, string>): string {
  const doc = parseDocument(topologyText);
  const hosts = doc.get('hosts') as { items?: Array<{ key: { value?: unknown } | string }> } | undefined;
  const names = (hosts?.items ?? []).map((pair) =>
    String(typeof pair.key === 'object' && pair.key !== null ? pair.key.value : pair.key),
  );
  const missing = names.filter((n) => !(n in addresses));
  const unused = Object.keys(addresses).filter((n) => !names.includes(n));
  if (!names.length || missing.length || unused.length)
    throw new Error(
      `the topology's hosts (${names.join(', ') || 'none'}) are not the test hosts (${Object.keys(addresses).join(', ')})`,
    );
  for (const name of names) doc.setIn(['hosts', name, 'address'], addresses[name]);
  return doc.toString();
}
