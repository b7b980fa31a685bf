/**
 * Documented commands are tests (issue 11): every block of README.md and docs/guides/ marked
 * `<!-- doc-test: run -->` runs here against the test platform, in the order of the doc, in one shell per
 * document (so `eval "$(npx sluice platform env)"` carries to the next commands), and what each command
 * prints is compared with the output the doc shows (test/docs/doc-blocks.ts has the rules). The tutorial
 * has its own suite (tutorial.int.test.ts); which blocks are not run, and why, is in their markers.
 *
 * README's `sluice query` example reads the demo's per-site windows: the suite runs the IoT simulator
 * from its start, so that windows have closed by then, and stops it at the end.
 */
import { join } from 'node:path';
import { repoRoot } from '../../lib/repo';
import { run } from '../../orchestrator/platform/processes';
import { type DocBlock, commandsOf, documentedFiles, matches, readBlocks } from '../docs/doc-blocks';
import { DocShell, explain } from './doc-shell';
import './helpers';

const root = repoRoot();
const files = documentedFiles(root).filter((f) => !f.startsWith('docs/tutorials/'));

function sluice(...args: string[]) {
  return run('node', [join(root, 'bin', 'sluice.js'), ...args], { cwd: root, env: process.env, timeoutMs: 900_000 });
}

beforeAll(async () => {
  // The demo pipeline is applied (a no-op after deploy-pipeline.int.test.ts), and its IoT simulator runs.
  const applied = await sluice('deploy-pipeline');
  expect(applied.stderr).toBe('');
  expect(applied.code).toBe(0);
  const sim = await sluice('platform', 'up', 'sim-iot');
  expect(sim.code).toBe(0);
}, 1_000_000);

afterAll(async () => {
  expect((await sluice('platform', 'down', 'sim-iot')).code).toBe(0);
});

function runBlocks(file: string): Array<{ block: DocBlock; output?: DocBlock }> {
  const blocks = readBlocks(root, file);
  return blocks
    .map((block, i) => ({ block, output: blocks[i + 1]?.marker?.kind === 'output' ? blocks[i + 1] : undefined }))
    .filter(({ block }) => block.marker?.kind === 'run');
}

for (const file of files) {
  const blocks = runBlocks(file);
  if (blocks.length === 0) continue;
  describe(file, () => {
    const shell = new DocShell(root);
    afterAll(() => shell.close());
    for (const { block, output } of blocks) {
      const marker = block.marker as Extract<DocBlock['marker'], { kind: 'run' }>;
      const commands = commandsOf(block, output);
      test(`line ${block.line}: ${commands.map((c) => c.command.split('\n')[0]!.replace(/\s+#.*$/, '')).join('; ')}`, async () => {
        for (const command of commands) {
          const result = await shell.run(command, { waitSeconds: marker.waitSeconds, unordered: marker.unordered });
          const where = `${file}:${block.line}`;
          if (result.code !== marker.exit)
            throw new Error(`expected exit status ${marker.exit}\n${explain(command, result, where)}`);
          if (command.expected) {
            if (!matches(command.expected, result.output, { unordered: marker.unordered }))
              throw new Error(`the output differs from the doc's\n${explain(command, result, where)}`);
          } else if (marker.exit === 0 && /SLUICE_[A-Z_]+:/.test(result.output)) {
            throw new Error(`an error code in the output\n${explain(command, result, where)}`);
          }
        }
      }, 900_000);
    }
  });
}

test('a documented output that no longer matches what the command prints fails the test', async () => {
  // Positive control: the unknown-command example of the local-platform guide matches as documented.
  const found = runBlocks('docs/guides/local-platform.md').find(({ block }) =>
    block.body.some((l) => l.startsWith('$ npx sluice deploy')),
  );
  expect(found).toBeDefined();
  const command = commandsOf(found!.block)[0]!;
  const shell = new DocShell(root);
  try {
    const result = await shell.run(command);
    expect(result.code).toBe(1);
    expect(matches(command.expected!, result.output)).toBe(true);
    // The same output against a doc that shows one word changed, one line fewer or one line more.
    const changed = command.expected!.map((l) => l.replace('deploy-pipeline', 'deploy-pipelines'));
    expect(matches(changed, result.output)).toBe(false);
    expect(matches(command.expected!.slice(1), result.output)).toBe(false);
    expect(matches([...command.expected!, 'one more line'], result.output)).toBe(false);
  } finally {
    shell.close();
  }
});
