// `npm test` checks what its tiers need before it spends half an hour: each missing tool is named with the
// exact command that installs it. What the platform itself needs (Java, Maven, openssl, kcat…) the launcher
// installs, as `npm start` does; the test tools are not the platform's, so they are checked here.
import { execFileSync } from 'node:child_process';

const REQUIRED = [
  {
    command: 'ansible-playbook',
    why: 'the deployment tier runs the Ansible play for real (test/integration/ansible.int.test.ts)',
    install: 'sudo apt-get update && sudo apt-get install -y ansible-core',
  },
  {
    command: 'sshd',
    check: 'command -v sshd || test -x /usr/sbin/sshd',
    why: 'the deployment tier reaches its test hosts (network namespaces) over SSH, each with its own sshd (test/integration/test-hosts.int.test.ts)',
    install: 'sudo apt-get update && sudo apt-get install -y openssh-server',
  },
];

const [major] = process.versions.node.split('.').map(Number);
const problems = [];
if (major < 20)
  problems.push(`Node.js ${process.versions.node} is too old: install Node.js 20 or later (https://nodejs.org)`);
for (const tool of REQUIRED) {
  try {
    execFileSync('sh', ['-c', tool.check ?? `command -v ${tool.command}`], { stdio: 'ignore' });
  } catch {
    problems.push(`${tool.command} is missing: ${tool.why}.\n  Install it with: ${tool.install}`);
  }
}
if (problems.length) {
  process.stderr.write(`npm test cannot run yet:\n${problems.map((p) => `- ${p}`).join('\n')}\n`);
  process.exit(1);
}
