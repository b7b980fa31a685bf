/**
 * Runs detectors over a NAB corpus and scores them: one fresh detector per file, fed row by row (no
 * look-ahead: a detector sees only the rows before), its scores swept for the best threshold per
 * profile over the whole corpus, and normalised against NAB's null detector.
 */
import { join } from 'node:path';
import type { NabCorpus, NabFile } from './corpus';
import { NullBaseline, type ScoringDetector } from './baselines';
import { writeJson, writeResultsFile, writeScoreTable, type FileScore } from './results';
import {
  NAB_PROFILES,
  PROFILE_NAMES,
  bestThreshold,
  normalise,
  scoreAtThreshold,
  scoresByThreshold,
  weightRows,
  type ProfileName,
  type WeightedRow,
} from './scoring';

export interface NabCandidate {
  name: string;
  /** A fresh detector for one file. */
  create(file: NabFile): ScoringDetector;
}

export interface ProfileResult {
  threshold: number;
  /** Raw corpus score at that threshold. */
  raw: number;
  /** NAB's normalised score (null 0, perfect 100). */
  score: number;
  files: FileScore[];
}

export interface NabResult {
  detector: string;
  profiles: Record<ProfileName, ProfileResult>;
  /** Time spent running the detector over the corpus, ms. */
  elapsedMs: number;
  rows: number;
  /** Rows of the corpus whose timestamp is not later than an earlier row's (scored in file order). */
  outOfOrderRows: number;
  /** Of those, the ones the detector counted as stale (scored, not learned): its `stalePoints`, summed. */
  stalePoints: number;
}

/** The anomaly scores of a detector over a file, and how many points it scored without learning. */
export function detectFile(candidate: NabCandidate, file: NabFile): { scores: number[]; stalePoints: number } {
  const detector = candidate.create(file);
  const scores = new Array<number>(file.values.length);
  for (let i = 0; i < file.values.length; i++) {
    const s = detector.observe({ timestamp: file.timestamps[i] as number, value: file.values[i] as number }).score;
    scores[i] = Number.isFinite(s) ? Math.min(1, Math.max(0, s)) : 0;
  }
  return { scores, stalePoints: detector.stalePoints ?? 0 };
}

/** The anomaly scores of a detector over a file, clamped to NAB's [0, 1]. */
export function detect(candidate: NabCandidate, file: NabFile): number[] {
  return detectFile(candidate, file).scores;
}

function corpusRows(
  files: readonly NabFile[],
  scores: readonly number[][],
  profile: ProfileName,
): { all: WeightedRow[]; perFile: WeightedRow[][] } {
  const cost = NAB_PROFILES[profile];
  let id = 0;
  const perFile = files.map((f, i) => {
    const rows = weightRows(scores[i] as number[], f.windows, cost, id);
    id += f.windows.length;
    return rows;
  });
  return { all: perFile.flat(), perFile };
}

/** Scores anomaly scores already computed (one list per file, in corpus order). */
export function scoreCorpus(
  files: readonly NabFile[],
  scores: readonly number[][],
  nullRaw: Record<ProfileName, number>,
): Record<ProfileName, ProfileResult> {
  const windowCount = files.reduce((n, f) => n + f.windows.length, 0);
  const out = {} as Record<ProfileName, ProfileResult>;
  for (const profile of PROFILE_NAMES) {
    const cost = NAB_PROFILES[profile];
    const { all, perFile } = corpusRows(files, scores, profile);
    const best = bestThreshold(scoresByThreshold(all, cost));
    const fileScores = perFile.map((rows, i) => ({
      ...scoreAtThreshold(rows, best.threshold, cost),
      path: (files[i] as NabFile).path,
      rows: (files[i] as NabFile).values.length,
    }));
    out[profile] = {
      threshold: best.threshold,
      raw: best.score,
      score: normalise(best.score, nullRaw[profile], windowCount, cost),
      files: fileScores,
    };
  }
  return out;
}

/** The raw score of NAB's null detector per profile: the 0 of the normalised scale. */
export function nullScores(files: readonly NabFile[]): Record<ProfileName, number> {
  const scores = files.map((f) => detect({ name: 'null', create: () => new NullBaseline() }, f));
  const out = {} as Record<ProfileName, number>;
  for (const profile of PROFILE_NAMES) {
    out[profile] = bestThreshold(
      scoresByThreshold(corpusRows(files, scores, profile).all, NAB_PROFILES[profile]),
    ).score;
  }
  return out;
}

export interface RunNabOptions {
  /** Write NAB-layout results here (per detector), and final_results.json / thresholds.json. */
  outDir?: string;
  onProgress?: (line: string) => void;
}

export function runNab(
  corpus: NabCorpus,
  candidates: readonly NabCandidate[],
  options: RunNabOptions = {},
): NabResult[] {
  const nullRaw = nullScores(corpus.files);
  const results: NabResult[] = [];
  for (const candidate of candidates) {
    const started = performance.now();
    const detected = corpus.files.map((f) => detectFile(candidate, f));
    const scores = detected.map((d) => d.scores);
    const elapsedMs = performance.now() - started;
    const profiles = scoreCorpus(corpus.files, scores, nullRaw);
    if (options.outDir) {
      corpus.files.forEach((f, i) =>
        writeResultsFile(options.outDir as string, candidate.name, f, scores[i] as number[]),
      );
      for (const profile of PROFILE_NAMES)
        writeScoreTable(options.outDir, candidate.name, profile, profiles[profile].threshold, profiles[profile].files);
    }
    const rows = corpus.files.reduce((n, f) => n + f.values.length, 0);
    options.onProgress?.(
      `nab: ${candidate.name} over ${corpus.files.length} files (${rows} rows) in ${(elapsedMs / 1000).toFixed(1)}s, standard ${profiles.standard.score.toFixed(1)}`,
    );
    results.push({
      detector: candidate.name,
      profiles,
      elapsedMs,
      rows,
      outOfOrderRows: corpus.files.reduce((n, f) => n + f.outOfOrder, 0),
      stalePoints: detected.reduce((n, d) => n + d.stalePoints, 0),
    });
  }
  if (options.outDir) {
    const final: Record<string, Record<string, number>> = {};
    const thresholds: Record<string, Record<string, { threshold: number; score: number }>> = {};
    for (const r of results) {
      final[r.detector] = {};
      thresholds[r.detector] = {};
      for (const p of PROFILE_NAMES) {
        (final[r.detector] as Record<string, number>)[p] = r.profiles[p].score;
        (thresholds[r.detector] as Record<string, { threshold: number; score: number }>)[p] = {
          threshold: r.profiles[p].threshold,
          score: r.profiles[p].raw,
        };
      }
    }
    writeJson(join(options.outDir, 'final_results.json'), final);
    writeJson(join(options.outDir, 'thresholds.json'), thresholds);
  }
  return results;
}
