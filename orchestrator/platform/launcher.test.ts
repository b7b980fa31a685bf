/** Unit tests of the launcher's building blocks: no servers, only real files and a real `sleep` process. */
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSluiceError } from '../../lib/errors';
import { createLogger } from '../../lib/log';
import { exportLines } from './client-env';
import { createContext, reset } from './platform';
import { renderPom } from './install/maven';
import { allPorts, portBase, portMap } from './ports';
import { findOwnedProcesses, isOurProcess, run, runningPid, startDaemon, stopProcess } from './processes';
import { fileSecretStore } from '../lib/secrets';
import { renderTemplate } from './template';
import { forCondition, waitFor } from './wait';

const tmp = () => mkdtempSync(join(tmpdir(), 'sluice-unit-'));

describe('port map', () => {
  test('offsets from the base, one port per role and node, no collisions', () => {
    const map = portMap(29000);
    expect(map.kafka[1]).toEqual({ client: 29012, controller: 29013, internal: 29014, metrics: 29015 });
    expect(map.kafka[3]).toEqual({ client: 29032, controller: 29033, internal: 29034, metrics: 29035 });
    expect(map).toMatchObject({
      connect: { rest: 29110 },
      prometheus: 29130,
      alertmanager: 29140,
      grafana: 29150,
      cassandra: { native: 29160 },
      influx: { http: 29170 },
    });
    const ports = allPorts(map).map((p) => p.port);
    expect(new Set(ports).size).toBe(ports.length);
    // Every port stays inside the documented block of 500 above the base.
    expect(ports.every((port) => port > 29000 && port < 29500)).toBe(true);
  });

  test('a bad SLUICE_PORT_BASE is refused with the variable named and what is accepted', () => {
    expect(portBase({})).toBe(29000);
    try {
      portBase({ SLUICE_PORT_BASE: 'eighty' });
      throw new Error('accepted a bad base');
    } catch (error) {
      expect(isSluiceError(error, 'SLUICE_CONFIG_INVALID')).toBe(true);
      expect((error as { path?: string }).path).toBe('SLUICE_PORT_BASE');
      expect((error as { fix?: string }).fix).toMatch(/1024 to 65000/);
    }
  });

  test('createContext(env) takes the port base and host from env, not from process.env', () => {
    const home = join(tmp(), 'home');
    const ctx = createContext({ SLUICE_HOME: home, SLUICE_PORT_BASE: '31000', SLUICE_HOST: '127.0.0.2' });
    expect(ctx.ports.base).toBe(31000);
    expect(ctx.ports.kafka[1]!.client).toBe(31012);
    expect(ctx.host).toBe('127.0.0.2');
    expect(ctx.env).toMatchObject({ SLUICE_PORT_BASE: '31000' });
    // The positive control: without the variable, the default base, whatever this process's env says.
    expect(createContext({ SLUICE_HOME: home }).ports.base).toBe(29000);
    expect(portMap({ SLUICE_PORT_BASE: '30000' }).registry).toBe(portMap(30000).registry);
  });
});

describe('templates and generated files', () => {
  test('every placeholder is required', () => {
    expect(renderTemplate('node.id={{nodeId}}', { nodeId: 2 })).toBe('node.id=2');
    expect(() => renderTemplate('x={{missing}}', {}, 'server.properties')).toThrow(
      'server.properties: no value for {{missing}}',
    );
  });

  test('the generated pom lists each artifact, with type and classifier when given', () => {
    const pom = renderPom('registry', {
      description: '',
      version: '3.1.0',
      artifacts: ['g:a:1', 'io.apicurio:apicurio-registry-app:3.1.0:tar.gz:all'],
    });
    expect(pom).toContain('<groupId>g</groupId><artifactId>a</artifactId><version>1</version>');
    expect(pom).toContain('<type>tar.gz</type><classifier>all</classifier>');
  });

  test('export lines quote what a shell would split, and put the tools dir first on PATH', () => {
    const text = exportLines({ SLUICE_A: '/plain/path', SLUICE_B: "it's spaced" }, '/x/bin');
    expect(text.split('\n')).toEqual([
      'export SLUICE_A=/plain/path',
      `export SLUICE_B='it'\\''s spaced'`,
      'export PATH=/x/bin:"$PATH"',
    ]);
  });

  test('a password file also gives the password variable, read by the shell, never printed', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'pw'), 's3cret\n', { mode: 0o600 });
    const text = exportLines({ SLUICE_REGISTRY_PASSWORD_FILE: join(dir, 'pw') });
    expect(text).not.toContain('s3cret');
    const shell = await run('bash', ['-c', `${text}\nprintf %s "$SLUICE_REGISTRY_PASSWORD"`]);
    expect(shell.stdout).toBe('s3cret');
  });
});

describe('secret store', () => {
  test('secrets are files of mode 0600, generated once and then stable', () => {
    const store = fileSecretStore(join(tmp(), 'secrets'));
    const first = store.ensure('kafka/admin');
    expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(store.ensure('kafka/admin')).toBe(first);
    expect(statSync(store.pathOf('kafka/admin')).mode & 0o777).toBe(0o600);
  });

  test('a secret readable by others is refused with the chmod that fixes it', () => {
    const store = fileSecretStore(join(tmp(), 'secrets'));
    store.write('users/x', 'pw');
    chmodSync(store.pathOf('users/x'), 0o644);
    expect(() => store.read('users/x')).toThrow(/readable by others/);
  });

  test('names cannot escape the store', () => {
    const store = fileSecretStore(join(tmp(), 'secrets'));
    expect(() => store.write('../etc/passwd', 'x')).toThrow(/invalid secret name/);
  });
});

describe('logs', () => {
  test('fields that look like secrets are masked, and the line names its subject', () => {
    const lines: string[] = [];
    createLogger({ format: 'text', write: (l) => lines.push(l) }).info('created', {
      resource: 'principal/sim-web',
      password: 'hunter2',
    });
    createLogger({ format: 'json', write: (l) => lines.push(l) }).warn('slow', {
      component: 'kafka-1',
      saslJaas: 'secret',
    });
    expect(lines[0]).toBe('principal/sim-web: created  password=***');
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'warn', msg: 'slow', component: 'kafka-1', saslJaas: '***' });
  });
});

describe('wait strategies', () => {
  test('a timeout says what was awaited and the last probe error', async () => {
    const strategy = forCondition('the moon to rise', 300, async () => {
      throw new Error('still dark');
    });
    await expect(waitFor(strategy, { intervalMs: 50 })).rejects.toThrow(
      /timed out after 0s waiting for the moon to rise \(last probe: still dark\)/,
    );
  });

  test('abortIf ends the wait at once (a process that died)', async () => {
    const strategy = forCondition('a port', 60_000, async () => false);
    await expect(waitFor(strategy, { abortIf: () => 'process 42 exited' })).rejects.toThrow(/process 42 exited/);
  });
});

describe('daemons', () => {
  test('a daemon is found by its pid file and marker, and stopped; a recycled pid is not ours', async () => {
    const home = tmp();
    const spec = {
      name: 'sleeper',
      command: 'sleep',
      args: ['60'],
      pidFile: join(home, 'run', 'sleeper.pid'),
      logFile: join(home, 'logs', 'sleeper.log'),
    };
    const pid = startDaemon(spec, home);
    try {
      expect(runningPid(spec.pidFile, 'sleeper', home)).toBe(pid);
      expect(isOurProcess(pid, 'sleeper', '/another/home')).toBe(false);
      expect(findOwnedProcesses(home)).toEqual([{ pid, name: 'sleeper' }]);
    } finally {
      expect(await stopProcess(pid, 5000)).toBe('stopped');
    }
    expect(runningPid(spec.pidFile, 'sleeper', home)).toBeUndefined();
    expect(findOwnedProcesses(home)).toEqual([]);
  });

  test('a stale pid file pointing at another process is ignored and removed', () => {
    const home = tmp();
    const pidFile = join(home, 'stale.pid');
    writeFileSync(pidFile, `${process.pid}\n`);
    expect(runningPid(pidFile, 'kafka-1', home)).toBeUndefined();
  });
});

describe('reset', () => {
  test('refuses without --yes, then deletes the whole data dir (nothing running)', async () => {
    const home = join(tmp(), 'home');
    const ctx = createContext({ SLUICE_HOME: home }, createLogger({ level: 'error' }));
    ctx.secrets.ensure('kafka/admin');
    await expect(reset(ctx, false)).rejects.toMatchObject({ code: 'SLUICE_CONFIRMATION_REQUIRED' });
    expect(existsSync(ctx.secrets.pathOf('kafka/admin'))).toBe(true);
    await reset(ctx, true);
    expect(existsSync(home)).toBe(false);
  });
});
