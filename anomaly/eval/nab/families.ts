/**
 * What `sluice eval anomaly` cross-validates on NAB: each detector family with its small parameter grid.
 * The grid is part of the procedure: the cross-validation picks a point of it on the training folds,
 * so a family's held-out score is the score of "this family, tuned on data like this". Grids are kept
 * small (each setting runs over the whole corpus once): about 2–3 minutes in all on 2 cores.
 */
import type { DetectorSpec } from '../../detectors';

export interface DetectorFamily {
  name: string;
  /** What the family is, for the report. */
  about: string;
  settings: DetectorSpec[];
}

export const NAB_FAMILIES: readonly DetectorFamily[] = [
  {
    name: 'robust-z',
    about: 'median and MAD of the last 2000 points',
    settings: [
      { kind: 'robust-z' },
      { kind: 'robust-z', cooldown: 200 },
      { kind: 'robust-z', threshold: 8 },
      { kind: 'robust-z', threshold: 8, cooldown: 200 },
    ],
  },
  {
    name: 'ewma',
    about: 'exponentially weighted mean and variance',
    settings: [{ kind: 'ewma' }, { kind: 'ewma', threshold: 8, cooldown: 200 }],
  },
  {
    name: 'seasonal',
    about: 'median and MAD per hour of the day',
    settings: [
      { kind: 'seasonal' },
      { kind: 'seasonal', cooldown: 200 },
      { kind: 'seasonal', threshold: 8 },
      { kind: 'seasonal', threshold: 8, cooldown: 200 },
    ],
  },
  {
    name: 'ensemble',
    about: 'mean vote of robust-z, ewma and seasonal',
    settings: [{ kind: 'ensemble' }, { kind: 'ensemble', cooldown: 200 }],
  },
  {
    name: 'ensemble-max',
    about: 'robust-z or seasonal (max), one cooldown',
    settings: [
      {
        kind: 'ensemble',
        combine: 'max',
        members: [
          { kind: 'robust-z', threshold: 8 },
          { kind: 'seasonal', threshold: 8 },
        ],
        cooldown: 200,
      },
      {
        kind: 'ensemble',
        combine: 'max',
        members: [{ kind: 'robust-z' }, { kind: 'seasonal', threshold: 8 }],
        cooldown: 200,
      },
    ],
  },
  {
    name: 'context',
    about: 'surprise of the next level after the last 1–3 (CAD/HTM idea)',
    settings: [
      { kind: 'context', cooldown: 200 },
      { kind: 'context', cooldown: 400, minSupport: 10 },
    ],
  },
  {
    name: 'shape',
    about: 'distance of the recent course to known prototypes (ARTime idea)',
    settings: [
      { kind: 'shape', cooldown: 200 },
      { kind: 'shape', threshold: 1, cooldown: 200 },
    ],
  },
  {
    name: 'likelihood(robust-z)',
    about: "HTM's anomaly likelihood over robust-z",
    settings: [
      { kind: 'likelihood', raw: { kind: 'robust-z' }, averagingWindow: 1, cooldown: 200 },
      { kind: 'likelihood', raw: { kind: 'robust-z' }, averagingWindow: 3, cooldown: 200 },
    ],
  },
  {
    name: 'likelihood(seasonal)',
    about: "HTM's anomaly likelihood over seasonal",
    settings: [
      { kind: 'likelihood', raw: { kind: 'seasonal' }, averagingWindow: 3, cooldown: 200 },
      { kind: 'likelihood', raw: { kind: 'seasonal' }, averagingWindow: 10, cooldown: 200 },
    ],
  },
  {
    name: 'likelihood(context)',
    about: "HTM's anomaly likelihood over context",
    settings: [{ kind: 'likelihood' }, { kind: 'likelihood', averagingWindow: 3, cooldown: 200 }],
  },
];

export const NAB_FAMILY_NAMES = NAB_FAMILIES.map((f) => f.name);
