/** The tables `sluice eval anomaly` prints. */
import { settingLabel, type EvalReport } from './index';
import { NAB_PUBLISHED_RESULTS, NAB_RESULTS_SOURCE } from './nab/published';
import { PROFILE_NAMES } from './nab/scoring';

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
  out.push(...renderNab(report));
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

const one = (x: number) => x.toFixed(1);

/** The NAB part: the cross-validated table, the whole-corpus runs, NAB's published scores. */
export function renderNab(report: EvalReport): string[] {
  const out: string[] = [];
  const c = report.nab.corpus;
  const cv = report.nab.crossValidation;
  out.push(
    `NAB: ${c.files} files, ${c.rows} rows, ${c.windows} windows, ${c.outOfOrderRows} rows out of order (scored in file order, not learned)`,
  );
  if (c.unlabelled.length) out.push(`  not scored, not in the windows file: ${c.unlabelled.join(', ')}`);
  if (c.missing.length) out.push(`  not scored, in the windows file but not in the data: ${c.missing.length} files`);
  if (cv.skipped) {
    out.push(`No cross-validation: ${cv.skipped}.`);
  } else {
    out.push(
      `Cross-validated, standard profile: ${cv.k} folds (files dealt by category: ${cv.folds.map((f) => f.length).join(', ')} files); for each fold the setting and threshold are chosen on the other folds and the score (null 0, perfect 100) is the held-out fold's`,
    );
    out.push(
      table(
        [
          'detector',
          ...cv.folds.map((_, i) => `fold ${i + 1}`),
          'mean',
          'sd',
          'min–max',
          'pooled',
          'low FP (mean)',
          'low FN (mean)',
          'settings',
        ],
        cv.results.map((r) => {
          const p = r.profiles.standard;
          return [
            report.nab.baselines.includes(r.detector) ? `${r.detector} (NAB baseline)` : r.detector,
            ...p.folds.map((f) => one(f.heldOut)),
            one(p.mean),
            one(p.sd),
            `${one(p.min)}–${one(p.max)}`,
            one(p.pooled),
            one(r.profiles.reward_low_FP_rate.mean),
            one(r.profiles.reward_low_FN_rate.mean),
            String(r.settings),
          ];
        }),
      ),
    );
    out.push(
      'Chosen on all files (what each family would ship; its score there is in-sample, the folds above are not):',
    );
    out.push(
      table(
        ['detector', 'setting', 'threshold', 'in-sample', 'folds that chose it'],
        cv.results.map((r) => {
          const p = r.profiles.standard;
          return [
            r.detector,
            p.chosen.setting,
            p.chosen.threshold.toFixed(4),
            one(p.chosen.score),
            `${p.folds.filter((f) => f.setting === p.chosen.setting).length}/${p.folds.length}`,
          ];
        }),
      ),
    );
    if (cv.best)
      out.push(
        `Best held-out mean: ${cv.best.family} (${one(cv.best.mean)}), setting ${cv.best.setting}. The service's default: ${settingLabel(report.nab.defaultDetector)}.`,
      );
  }
  out.push('');
  out.push('Whole corpus, one threshold per profile chosen on all files (in-sample), NAB layout results written:');
  out.push(
    table(
      ['detector', ...PROFILE_NAMES, 'threshold (standard)', 'time'],
      report.nab.results.map((r) => [
        r.detector === 'default'
          ? `default (${settingLabel(report.nab.defaultDetector)})`
          : report.nab.baselines.includes(r.detector)
            ? `${r.detector} (NAB baseline)`
            : r.detector,
        ...PROFILE_NAMES.map((p) => one(r.profiles[p].score)),
        r.profiles.standard.threshold.toFixed(4),
        `${(r.elapsedMs / 1000).toFixed(1)} s`,
      ]),
    ),
  );
  out.push('');
  out.push(`Published (NAB's results file, all 58 files, in-sample thresholds; ${NAB_RESULTS_SOURCE}):`);
  out.push(
    table(
      ['detector', ...PROFILE_NAMES],
      NAB_PUBLISHED_RESULTS.map((r) => [r.detector, ...PROFILE_NAMES.map((p) => one(r.scores[p]))]),
    ),
  );
  return out;
}
