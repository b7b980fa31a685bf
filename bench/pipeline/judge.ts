/**
 * The judgement of `npm run bench -- pipeline` on one consumer in one step: does it keep up? A consumer
 * (a Flink job's sources, a Connect sink's group, the anomaly service's group) is sampled during the
 * step for the records it is behind its input topics; its input rate is measured over the same step (the
 * growth of those topics' end offsets). Pure.
 *
 * - Budget: `budgetSeconds` (30) worth of its input, in records, and never less than `minRecords` (100):
 *   transaction markers and a checkpoint's records not yet committed count as lag on the windowed
 *   topics, whose input comes a few records a second.
 * - `behind`: the median of the last third of the samples is over the budget. The median, not the
 *   maximum: a one-minute window closes for every key at once, and the burst a healthy consumer drains
 *   in seconds shows in one sample of six.
 * - `growing`: the median of the last third is above the median of the first third by more than a
 *   third of the budget (at that pace it would pass the budget within two more steps).
 * - `missing`: no value in more than a third of the samples (a job restarting, a service that stopped
 *   answering); `sustained` otherwise.
 */

export interface LagSample {
  /** ms since the step started. */
  t: number;
  /** Records behind; undefined when it could not be read at that moment. */
  records: number | undefined;
}

export type LagVerdict = 'sustained' | 'behind' | 'growing' | 'missing';

export interface LagJudgement {
  verdict: LagVerdict;
  /** Budget in records: max(budgetSeconds × inputRate, minRecords). */
  budgetRecords: number;
  firstMedian: number;
  lastMedian: number;
  maxRecords: number;
  /** lastMedian and maxRecords in seconds of input (records ÷ input rate); 0 when nothing is behind. */
  lastSeconds: number;
  maxSeconds: number;
}

export interface JudgeOptions {
  budgetSeconds: number;
  minRecords: number;
}

export const JUDGE_DEFAULTS: JudgeOptions = { budgetSeconds: 30, minRecords: 100 };

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Records as seconds of input at `rate` records/s. */
export function secondsOf(records: number, rate: number): number {
  if (records <= 0) return 0;
  return rate > 0 ? records / rate : Number.POSITIVE_INFINITY;
}

export function judgeLag(
  samples: readonly LagSample[],
  inputRate: number,
  o: JudgeOptions = JUDGE_DEFAULTS,
): LagJudgement {
  const budgetRecords = Math.max(o.budgetSeconds * inputRate, o.minRecords);
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  const third = Math.max(1, Math.floor(sorted.length / 3));
  const values = (part: readonly LagSample[]) => part.map((s) => s.records).filter((r): r is number => r !== undefined);
  const all = values(sorted);
  const firstMedian = median(values(sorted.slice(0, third)));
  const last = values(sorted.slice(sorted.length - third));
  const lastMedian = median(last);
  const maxRecords = all.length ? Math.max(...all) : 0;
  const missing = sorted.length - all.length > sorted.length / 3 || last.length === 0;
  const verdict: LagVerdict = missing
    ? 'missing'
    : lastMedian > budgetRecords
      ? 'behind'
      : lastMedian - firstMedian > budgetRecords / 3
        ? 'growing'
        : 'sustained';
  return {
    verdict,
    budgetRecords,
    firstMedian,
    lastMedian,
    maxRecords,
    lastSeconds: secondsOf(lastMedian, inputRate),
    maxSeconds: secondsOf(maxRecords, inputRate),
  };
}

/** Input rate (records/s) from two readings of the summed end offsets of a consumer's topics. */
export function rateBetween(
  from: { t: number; offsets: ReadonlyMap<string, number> },
  to: { t: number; offsets: ReadonlyMap<string, number> },
  topics: readonly string[],
): number {
  const seconds = (to.t - from.t) / 1000;
  if (seconds <= 0) return 0;
  let records = 0;
  for (const topic of topics) {
    const [a, b] = [from.offsets.get(topic), to.offsets.get(topic)];
    if (a !== undefined && b !== undefined) records += Math.max(0, b - a); // a topic not read at both: left out
  }
  return records / seconds;
}
