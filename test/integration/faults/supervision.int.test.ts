/**
 * Supervision (issue "Survive real conditions"): each long-running component killed with -9 comes back
 * healthy with no command, restarted by the launcher's supervisor; `platform status` counts the restart
 * and says how it died. A component stopped on purpose (`platform down <name>`) is not restarted.
 */
import { pidFileOf } from '../../../orchestrator/platform/component';
import { down, status, up, type StatusRow } from '../../../orchestrator/platform/platform';
import { readPid } from '../../../orchestrator/platform/processes';
import { forCondition, waitFor } from '../../../orchestrator/platform/wait';
import { testContext } from '../helpers';

const ctx = testContext();

// One of each kind of server; the rest share these code paths (a broker stands for the three). The
// JobManager has a suite of its own (flink-jobmanager.int.test.ts: its jobs survive it).
const VICTIMS = [
  'kafka-3',
  'registry',
  'flink-zookeeper',
  'flink-taskmanager',
  'sql-gateway',
  'connect',
  'influxdb',
  'prometheus',
  'alertmanager',
];
// Generous for a loaded CI machine; the demo's measured times are in docs/guides/local-platform.md.
const BACK_WITHIN_MS = 120_000;

async function rowOf(name: string): Promise<StatusRow> {
  const row = (await status(ctx)).find((r) => r.component === name);
  if (!row) throw new Error(`no status row for ${name}`);
  return row;
}

afterAll(async () => {
  // Whatever a failed case left behind, the next suites find the platform whole.
  await up(ctx, VICTIMS);
}, 600_000);

test.each(VICTIMS)(
  'kill -9 of %s: healthy again with no command, the restart counted with its cause',
  async (name) => {
    const before = await rowOf(name);
    expect(before.health).toBe('healthy'); // the baseline the fault changes
    const pid = readPid(pidFileOf(ctx, name))!;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await waitFor(
      forCondition(`${name} healthy again after kill -9`, BACK_WITHIN_MS, async () => {
        const r = await rowOf(name);
        return r.health === 'healthy' && r.pid !== undefined && r.pid !== pid;
      }),
      { intervalMs: 1000 },
    );
    const row = await rowOf(name);
    expect(row.restarts).toBe((before.restarts ?? 0) + 1);
    expect(row.lastExit?.cause).toMatch(/SIGKILL|exited/);
  },
  BACK_WITHIN_MS + 30_000,
);

test('a component stopped on purpose stays stopped; started again, it is supervised again', async () => {
  await down(ctx, ['alertmanager']);
  // Longer than the first restart delay: a supervisor that fought the stop would have started it by now.
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  expect((await rowOf('alertmanager')).health).toBe('stopped');
  // Positive control: started again, a kill brings it back.
  await up(ctx, ['alertmanager']);
  const pid = readPid(pidFileOf(ctx, 'alertmanager'))!;
  process.kill(pid, 'SIGKILL');
  await waitFor(
    forCondition('alertmanager restarted', BACK_WITHIN_MS, async () => {
      const r = await rowOf('alertmanager');
      return r.health === 'healthy' && r.pid !== pid;
    }),
    { intervalMs: 1000 },
  );
}, 300_000);
