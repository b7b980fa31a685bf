import {
  DEFAULT_SUBNET,
  addressPlan,
  formatIpv4,
  overlaps,
  parseCidr,
  parseIpv4,
  subnetProblems,
  usedNetworks,
  type IpAddrEntry,
  type IpRouteEntry,
} from './plan';

// What this machine's `ip -j -4 addr` and `ip -j -4 route show table all` print (abridged).
const addrs: IpAddrEntry[] = [
  { ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
  { ifname: 'eth0', addr_info: [{ family: 'inet', local: '192.0.2.2', prefixlen: 24 }] },
  { ifname: 'ifb0' },
];
const routes: IpRouteEntry[] = [
  { dst: 'default', dev: 'eth0' },
  { dst: '192.0.2.0/24', dev: 'eth0' },
  { dst: '127.0.0.0/8', dev: 'lo', table: 'local' },
  { dst: '192.0.2.255', dev: 'eth0', table: 'local' },
];
const used = usedNetworks(addrs, routes);

test('addresses and networks parse and print back', () => {
  expect(formatIpv4(parseIpv4('10.213.77.11'))).toBe('10.213.77.11');
  expect(parseCidr('10.213.77.99/24')).toEqual({ network: parseIpv4('10.213.77.0'), prefix: 24 });
  expect(parseCidr('192.0.2.255')).toEqual({ network: parseIpv4('192.0.2.255'), prefix: 32 });
  expect(() => parseIpv4('10.213.77')).toThrow(/not an IPv4 address/);
  expect(() => parseCidr('10.0.0.0/33')).toThrow(/prefix/);
});

test('overlap: inside, containing, beside', () => {
  expect(overlaps(parseCidr('10.213.77.0/24'), parseCidr('10.213.77.12'))).toBe(true);
  expect(overlaps(parseCidr('10.213.77.0/24'), parseCidr('10.0.0.0/8'))).toBe(true);
  expect(overlaps(parseCidr('10.213.77.0/24'), parseCidr('10.213.78.0/24'))).toBe(false);
});

test('the default subnet is free on this machine; the default route does not count as a use', () => {
  expect(used.map((u) => u.what)).not.toContainEqual(expect.stringContaining('default'));
  expect(subnetProblems(DEFAULT_SUBNET, 3, used)).toEqual([]);
});

test("eth0's network is refused, by its address and by its routes", () => {
  expect(subnetProblems('192.0.2.0/24', 3, used)).toEqual(
    expect.arrayContaining([
      '192.0.2.0/24 is not inside a private range (10/8, 172.16/12, 192.168/16)',
      '192.0.2.0/24 is already in use on this machine: eth0 address 192.0.2.2/24',
      '192.0.2.0/24 is already in use on this machine: route 192.0.2.0/24 dev eth0',
    ]),
  );
});

test('a subnet that a route or an address already uses is refused (a second run, a VPN, a wider route)', () => {
  const busy = usedNetworks(
    [{ ifname: 'sthbrab12', addr_info: [{ family: 'inet', local: '10.213.77.1', prefixlen: 24 }] }],
    [{ dst: '10.0.0.0/8', dev: 'tun0' }],
  );
  expect(subnetProblems(DEFAULT_SUBNET, 3, busy)).toEqual([
    '10.213.77.0/24 is already in use on this machine: sthbrab12 address 10.213.77.1/24',
    '10.213.77.0/24 is already in use on this machine: route 10.0.0.0/8 dev tun0',
  ]);
});

test('loopback, public, host bits set, too small: each refused with its reason', () => {
  expect(subnetProblems('127.0.0.0/8', 3, used).join('\n')).toMatch(/not inside a private range[^]*lo address/);
  expect(subnetProblems('8.8.8.0/24', 3, [])).toEqual([
    '8.8.8.0/24 is not inside a private range (10/8, 172.16/12, 192.168/16)',
  ]);
  expect(subnetProblems('10.213.77.5/24', 3, [])).toEqual([
    '10.213.77.5/24: write the network address (10.213.77.0/24)',
  ]);
  expect(subnetProblems('10.213.77.0/28', 6, [])).toEqual(['10.213.77.0/28 is too small for 6 host(s) at .11 upwards']);
  expect(subnetProblems('10.213.77.0/28', 3, [])).toEqual([]);
  expect(subnetProblems('nonsense', 3, [])).toEqual(["'nonsense' is not an IPv4 address"]);
});

test('the address plan: the bridge at .1, host i at .(10+i) as in ansible/topologies/, names within 15 characters', () => {
  const plan = addressPlan(DEFAULT_SUBNET, 3, 'ab12');
  expect(plan).toMatchObject({
    subnet: '10.213.77.0/24',
    prefix: 24,
    bridge: 'sthbrab12',
    bridgeAddress: '10.213.77.1',
  });
  expect(plan.hosts.map((h) => h.address)).toEqual(['10.213.77.11', '10.213.77.12', '10.213.77.13']);
  expect(plan.hosts[0]).toEqual({
    index: 1,
    namespace: 'sluice-th-ab12-1',
    veth: 'sthab12h1',
    peer: 'sthab12p1',
    address: '10.213.77.11',
  });
  const longest = addressPlan(DEFAULT_SUBNET, 9, 'zzzzzz');
  for (const name of [longest.bridge, ...longest.hosts.flatMap((h) => [h.veth, h.peer])])
    expect(name.length).toBeLessThanOrEqual(15);
  expect(() => addressPlan(DEFAULT_SUBNET, 3, 'Bad-Id')).toThrow(/run id/);
  expect(() => addressPlan(DEFAULT_SUBNET, 10, 'ab12')).toThrow(/1 to 9/);
});
