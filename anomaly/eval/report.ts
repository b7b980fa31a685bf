/** The tables `sluice eval anomaly` prints. */
import type { EvalReport } from './index';
import { PROFILE_NAMES } from './nab/scoring';

/** NAB's published standard-profile scores (full corpus of 58 files), from the NAB README. */
export const NAB_PUBLISHED: Readonly<Record<string, number>> = {
  ARTime: 74.9,
  'Numenta HTM': 70.5,
  'CAD OSE': 69.9,
  'KNN CAD': 58.0,
  'Random Cut Forest': 51.7,
  'Twitter ADVec': 47.1,
  'Windowed Gaussian': 39.6,
  random: 11.0,
  null: 0,
};

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(0)} s`);
const pct = (x: number) => x.toFixed(2);

export function renderReport(report: EvalReport): string {
  const out: string[] = [];
  const c = report.nab.corpus;
  out.push(
    `NAB: ${c.files} files, ${c.rows} rows, ${c.windows} windows; normalised scores (null detector 0, perfect 100), one threshold per detector and profile over the whole corpus`,
  );
  if (c.unlabelled.length) out.push(`  not scored, not in the windows file: ${c.unlabelled.join(', ')}`);
  if (c.missing.length) out.push(`  not scored, in the windows file but not in the data: ${c.missing.length} files`);
  out.push(
    table(
      ['detector', ...PROFILE_NAMES, 'threshold (standard)', 'time'],
      report.nab.results.map((r) => [
        report.nab.baselines.includes(r.detector) ? `${r.detector} (NAB baseline)` : r.detector,
        ...PROFILE_NAMES.map((p) => r.profiles[p].score.toFixed(1)),
        r.profiles.standard.threshold.toFixed(4),
        `${(r.elapsedMs / 1000).toFixed(1)} s`,
      ]),
    ),
  );
  out.push(
    `NAB's published standard scores (all 58 files): ${Object.entries(NAB_PUBLISHED)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  const sim = report.simulators;
  if (sim) {
    out.push('');
    out.push(
      `Simulators: seed ${sim.setup.seed}, ${sim.setup.hours} simulated hours from ${sim.setup.start}, ${sim.labels} labels scored (after the first hour), ${sim.series} series, ${sim.rows} window rows, ${(sim.elapsedMs / 1000).toFixed(0)} s`,
    );
    out.push(
      table(
        [
          'detector',
          'precision',
          'recall',
          'F1',
          'recall (observable)',
          'F1 (observable)',
          'mean delay',
          'p50 delay',
          'incidents',
          'false pos.',
          'of which during a bot flood',
        ],
        sim.results.map((r) => [
          r.detector,
          pct(r.summary.precision),
          pct(r.summary.recall),
          pct(r.summary.f1),
          pct(r.summary.observableRecall),
          pct(r.summary.observableF1),
          seconds(r.summary.meanDelayMs),
          seconds(r.summary.p50DelayMs),
          String(r.summary.incidents),
          String(r.summary.falsePositives),
          String(r.falsePositivesDuringOtherAnomalies),
        ]),
      ),
    );
    const best = sim.results.find((r) => r.detector === 'ensemble') ?? sim.results[0];
    if (best) {
      out.push(`Per kind (${best.detector}): detected / labels (observable), mean delay`);
      out.push(
        table(
          ['source', 'kind', 'detected', 'labels', 'observable', 'mean delay'],
          best.perKind.map((k) => [
            k.source,
            k.kind,
            String(k.detected),
            String(k.labels),
            String(k.observable),
            seconds(k.meanDelayMs),
          ]),
        ),
      );
      out.push(
        table(
          ['source', 'precision', 'recall', 'recall (observable)', 'incidents'],
          Object.entries(best.perSource).map(([s, m]) => [
            s,
            pct(m.precision),
            pct(m.recall),
            pct(m.observableRecall),
            String(m.incidents),
          ]),
        ),
      );
    }
  }
  return out.join('\n');
}
