/**
 * Writes results in NAB's own layout, so NAB's scorer can read them:
 * `<outDir>/<detector>/<category>/<detector>_<file>.csv` with timestamp,value,anomaly_score,label
 * (label 1 inside a window), `<outDir>/<detector>/<detector>_<profile>_scores.csv` (NAB's per-file score
 * table with its Totals row), and `<outDir>/final_results.json` / `thresholds.json` as NAB names them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NabFile } from './corpus';
import type { ProfileName, ThresholdScore } from './scoring';

export function resultsPath(outDir: string, detector: string, file: Pick<NabFile, 'category' | 'name'>): string {
  return join(outDir, detector, file.category, `${detector}_${file.name}`);
}

export function resultsCsv(file: NabFile, scores: readonly number[]): string {
  const lines = ['timestamp,value,anomaly_score,label'];
  let w = 0;
  for (let i = 0; i < file.timestamps.length; i++) {
    while (w < file.windows.length && (file.windows[w] as { lastRow: number }).lastRow < i) w++;
    const window = file.windows[w];
    const label = window && i >= window.firstRow && i <= window.lastRow ? 1 : 0;
    lines.push(`${file.timestampText[i]},${file.valueText[i]},${scores[i]},${label}`);
  }
  return `${lines.join('\n')}\n`;
}

export function writeResultsFile(outDir: string, detector: string, file: NabFile, scores: readonly number[]): string {
  const path = resultsPath(outDir, detector, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, resultsCsv(file, scores));
  return path;
}

export interface FileScore extends ThresholdScore {
  path: string;
  rows: number;
}

/** NAB's `<detector>_<profile>_scores.csv`: one row per file, then Totals. */
export function writeScoreTable(
  outDir: string,
  detector: string,
  profile: ProfileName,
  threshold: number,
  files: readonly FileScore[],
): void {
  const lines = ['Detector,Profile,File,Threshold,Score,TP,TN,FP,FN,Total_Count'];
  const total = { score: 0, tp: 0, tn: 0, fp: 0, fn: 0, rows: 0 };
  for (const f of files) {
    lines.push([detector, profile, f.path, threshold, f.score, f.tp, f.tn, f.fp, f.fn, f.rows].join(','));
    total.score += f.score;
    total.tp += f.tp;
    total.tn += f.tn;
    total.fp += f.fp;
    total.fn += f.fn;
    total.rows += f.rows;
  }
  lines.push(['Totals', '', '', '', total.score, total.tp, total.tn, total.fp, total.fn, total.rows].join(','));
  mkdirSync(join(outDir, detector), { recursive: true });
  writeFileSync(join(outDir, detector, `${detector}_${profile}_scores.csv`), `${lines.join('\n')}\n`);
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
