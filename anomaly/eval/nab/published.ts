/**
 * NAB's published scores, from its results file: numenta/NAB `results/final_results.json` at commit
 * 5a98e4f15e4508b2d1472ac31db2467dd87a9a28 (NAB v1.1 scoring, all 58 files of the corpus, one threshold
 * per detector and profile over the whole corpus). Rounded to one decimal; NAB's names, with the name
 * its README uses in parentheses where they differ.
 */
import type { ProfileName } from './scoring';

export const NAB_RESULTS_SOURCE = 'numenta/NAB results/final_results.json @ 5a98e4f15e4508b2d1472ac31db2467dd87a9a28';

export const NAB_PUBLISHED_RESULTS: ReadonlyArray<{ detector: string; scores: Record<ProfileName, number> }> = [
  { detector: 'ARTime', scores: { standard: 74.9, reward_low_FP_rate: 65.2, reward_low_FN_rate: 80.4 } },
  { detector: 'numenta (HTM)', scores: { standard: 70.1, reward_low_FP_rate: 63.1, reward_low_FN_rate: 74.3 } },
  { detector: 'contextOSE (CAD OSE)', scores: { standard: 69.9, reward_low_FP_rate: 67.0, reward_low_FN_rate: 73.2 } },
  { detector: 'htmjava', scores: { standard: 65.5, reward_low_FP_rate: 53.3, reward_low_FN_rate: 70.4 } },
  { detector: 'numentaTM', scores: { standard: 64.6, reward_low_FP_rate: 56.7, reward_low_FN_rate: 69.2 } },
  { detector: 'earthgeckoSkyline', scores: { standard: 58.2, reward_low_FP_rate: 46.2, reward_low_FN_rate: 63.8 } },
  { detector: 'knncad (KNN CAD)', scores: { standard: 58.0, reward_low_FP_rate: 43.4, reward_low_FN_rate: 64.8 } },
  { detector: 'relativeEntropy', scores: { standard: 54.6, reward_low_FP_rate: 47.6, reward_low_FN_rate: 58.8 } },
  { detector: 'randomCutForest', scores: { standard: 51.7, reward_low_FP_rate: 38.4, reward_low_FN_rate: 59.7 } },
  { detector: 'twitterADVec', scores: { standard: 47.1, reward_low_FP_rate: 33.6, reward_low_FN_rate: 53.5 } },
  { detector: 'windowedGaussian', scores: { standard: 39.6, reward_low_FP_rate: 20.9, reward_low_FN_rate: 47.4 } },
  { detector: 'skyline', scores: { standard: 35.7, reward_low_FP_rate: 27.1, reward_low_FN_rate: 44.5 } },
  { detector: 'random', scores: { standard: 16.8, reward_low_FP_rate: 5.8, reward_low_FN_rate: 25.9 } },
  { detector: 'expose', scores: { standard: 16.4, reward_low_FP_rate: 3.2, reward_low_FN_rate: 26.9 } },
  { detector: 'null', scores: { standard: 0, reward_low_FP_rate: 0, reward_low_FN_rate: 0 } },
];
