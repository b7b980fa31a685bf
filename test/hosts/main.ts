/**
 * Test hosts by hand: `npx tsx test/hosts/main.ts [count]` makes them (hosts.ts), prints one JSON line
 * (the run's id, subnet, temp dir, key and known_hosts files, each host's name, namespace and address)
 * and keeps them until Ctrl-C (SIGINT) or SIGTERM, which remove everything it made.
 */
import { createTestHosts } from './hosts';

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 3);
  const hosts = await createTestHosts({ count });
  process.stdout.write(
    `${JSON.stringify({
      id: hosts.id,
      subnet: hosts.subnet,
      dir: hosts.dir,
      keyFile: hosts.keyFile,
      knownHostsFile: hosts.knownHostsFile,
      ssh: `ssh ${hosts.sshOptions.join(' ')} root@<address>`,
      hosts: hosts.hosts.map((h) => ({ name: h.name, namespace: h.namespace, address: h.address })),
    })}\n`,
  );
  setInterval(() => undefined, 60_000); // until a signal: hosts.ts removes everything, then the signal ends us
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
