/**
 * The pure part of the test hosts (hosts.ts): whether a subnet is free on this machine, and the address
 * and name plan of N hosts on it. No system call here: the caller passes what `ip -j -4 addr` and
 * `ip -j -4 route show table all` printed.
 *
 * A subnet is refused when any interface address or any route of the machine falls in it or contains it
 * (the default route excepted: it contains everything and uses nothing), and always when it is loopback,
 * not private (RFC 1918), or too small for the plan. The machine's own networks (eth0's 192.0.2.0/24 here)
 * are refused by the same rule, since the kernel routes them.
 */

/** The subnet the test hosts use unless SLUICE_TEST_HOSTS_SUBNET names another. */
export const DEFAULT_SUBNET = '10.213.77.0/24';

/** Host i (1-based) gets network + HOST_OFFSET + i: .11, .12, .13, as in ansible/topologies/. */
export const HOST_OFFSET = 10;

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  network: number;
  prefix: number;
}

export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255))
    throw new Error(`'${text}' is not an IPv4 address`);
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

const size = (prefix: number) => 2 ** (32 - prefix);

/** `a.b.c.d/n` (or a bare address, /32); the host bits are cleared. */
export function parseCidr(text: string): Cidr {
  const [address, prefixText] = text.split('/');
  const prefix = prefixText === undefined ? 32 : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`'${text}' has no valid prefix length`);
  const n = parseIpv4(address!);
  return { network: n - (n % size(prefix)), prefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefix}`;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.network < b.network + size(b.prefix) && b.network < a.network + size(a.prefix);
}

/** What `ip -j -4 addr` prints, the fields read here. */
export interface IpAddrEntry {
  ifname: string;
  addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }>;
}

/** What `ip -j -4 route show table all` prints, the fields read here. */
export interface IpRouteEntry {
  dst: string;
  dev?: string;
  table?: string;
}

export interface UsedNetwork {
  cidr: Cidr;
  /** Where it comes from, for the refusal: `eth0 address 192.0.2.2/24`, `route 192.0.2.0/24 dev eth0`. */
  what: string;
}

/** Every network an interface address or a route of the machine uses (the default route excepted). */
export function usedNetworks(addrs: IpAddrEntry[], routes: IpRouteEntry[]): UsedNetwork[] {
  const used: UsedNetwork[] = [];
  for (const link of addrs)
    for (const info of link.addr_info ?? []) {
      if (info.family !== undefined && info.family !== 'inet') continue;
      if (info.local === undefined) continue;
      const text = `${info.local}/${info.prefixlen ?? 32}`;
      used.push({ cidr: parseCidr(text), what: `${link.ifname} address ${text}` });
    }
  for (const route of routes) {
    if (route.dst === 'default') continue;
    const where = [route.dev && `dev ${route.dev}`, route.table && `table ${route.table}`].filter(Boolean);
    used.push({ cidr: parseCidr(route.dst), what: `route ${[route.dst, ...where].join(' ')}` });
  }
  return used;
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map(parseCidr);

/** Why the subnet cannot hold `count` test hosts on this machine; empty when it can. */
export function subnetProblems(subnetText: string, count: number, used: UsedNetwork[]): string[] {
  let subnet: Cidr;
  try {
    subnet = parseCidr(subnetText);
  } catch (error) {
    return [(error as Error).message];
  }
  const problems: string[] = [];
  if (formatCidr(subnet) !== subnetText)
    problems.push(`${subnetText}: write the network address (${formatCidr(subnet)})`);
  if (!PRIVATE.some((p) => p.prefix <= subnet.prefix && overlaps(p, subnet)))
    problems.push(`${subnetText} is not inside a private range (10/8, 172.16/12, 192.168/16)`);
  // The bridge (.1), then .11 … .(10+count), and the broadcast address above them.
  if (HOST_OFFSET + count + 2 > size(subnet.prefix))
    problems.push(`${subnetText} is too small for ${count} host(s) at .${HOST_OFFSET + 1} upwards`);
  for (const u of used)
    if (overlaps(u.cidr, subnet)) problems.push(`${subnetText} is already in use on this machine: ${u.what}`);
  return problems;
}

export interface HostPlan {
  /** 1-based. */
  index: number;
  /** The network namespace. */
  namespace: string;
  /** The veth end in the root namespace (on the bridge). */
  veth: string;
  /** The other end before it moves into the namespace, where it is renamed eth0. */
  peer: string;
  address: string;
}

export interface AddressPlan {
  subnet: string;
  prefix: number;
  bridge: string;
  bridgeAddress: string;
  hosts: HostPlan[];
}

/**
 * The names and addresses of one run: `id` (a few letters or digits, unique per run) keeps two runs' names
 * apart; interface names stay within Linux's 15 characters.
 */
export function addressPlan(subnetText: string, count: number, id: string): AddressPlan {
  if (!/^[a-z0-9]{1,6}$/.test(id)) throw new Error(`run id '${id}': 1 to 6 lowercase letters or digits`);
  if (!Number.isInteger(count) || count < 1 || count > 9) throw new Error(`${count} hosts: 1 to 9`);
  const subnet = parseCidr(subnetText);
  return {
    subnet: formatCidr(subnet),
    prefix: subnet.prefix,
    bridge: `sthbr${id}`,
    bridgeAddress: formatIpv4(subnet.network + 1),
    hosts: Array.from({ length: count }, (_, i) => ({
      index: i + 1,
      namespace: `sluice-th-${id}-${i + 1}`,
      veth: `sth${id}h${i + 1}`,
      peer: `sth${id}p${i + 1}`,
      address: formatIpv4(subnet.network + HOST_OFFSET + i + 1),
    })),
  };
}
