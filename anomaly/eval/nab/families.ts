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
      { kind: 'likelihood', raw: { kind: 'robust-z' }, averagingWindow: 1, cooldown: 200, spatialTolerance: 0 },
      { kind: 'likelihood', raw: { kind: 'robust-z' }, averagingWindow: 3, cooldown: 200, spatialTolerance: 0 },
    ],
  },
  {
    name: 'likelihood(seasonal)',
    about: "HTM's anomaly likelihood over seasonal",
    settings: [
      { kind: 'likelihood', raw: { kind: 'seasonal' }, averagingWindow: 3, cooldown: 200, spatialTolerance: 0 },
      { kind: 'likelihood', raw: { kind: 'seasonal' }, averagingWindow: 10, cooldown: 200, spatialTolerance: 0 },
    ],
  },
  {
    name: 'likelihood(context)',
    about: "HTM's anomaly likelihood over context",
    settings: [
      { kind: 'likelihood', raw: { kind: 'context' }, averagingWindow: 10, cooldown: 50, spatialTolerance: 0 },
      { kind: 'likelihood', raw: { kind: 'context' }, averagingWindow: 3, cooldown: 200, spatialTolerance: 0 },
    ],
  },
  {
    name: 'likelihood(ewma)',
    about: "HTM's anomaly likelihood over ewma",
    settings: [
      { kind: 'likelihood', raw: { kind: 'ewma' }, averagingWindow: 3, cooldown: 200, spatialTolerance: 0 },
      { kind: 'likelihood', raw: { kind: 'ewma' }, averagingWindow: 10, cooldown: 200, spatialTolerance: 0 },
    ],
  },
  {
    name: 'likelihood(shape)',
    about: "HTM's anomaly likelihood over shape",
    settings: [
      { kind: 'likelihood', raw: { kind: 'shape' }, averagingWindow: 3, cooldown: 200, spatialTolerance: 0 },
      { kind: 'likelihood', raw: { kind: 'shape' }, averagingWindow: 10, cooldown: 200, spatialTolerance: 0 },
    ],
  },
  {
    name: 'likelihood+spatial',
    about:
      "HTM's anomaly likelihood over seasonal or robust-z, and a value beyond the range learned (tolerance 5%): the grid the default is chosen from",
    settings: (['seasonal', 'robust-z'] as const).flatMap((raw) =>
      [10, 20, 30].map((averagingWindow): DetectorSpec => ({
        kind: 'likelihood',
        raw: { kind: raw },
        averagingWindow,
        cooldown: 200,
        spatialTolerance: 0.05,
      })),
    ),
  },
  {
    name: 'likelihood(seasonal)+spatial',
    about: "HTM's anomaly likelihood over seasonal, and a value beyond the range learned (tolerance 5%)",
    settings: [
      { kind: 'likelihood', raw: { kind: 'seasonal' }, averagingWindow: 10, cooldown: 200, spatialTolerance: 0.05 },
      { kind: 'likelihood', raw: { kind: 'seasonal' }, averagingWindow: 20, cooldown: 200, spatialTolerance: 0.05 },
      { kind: 'likelihood', raw: { kind: 'seasonal' }, averagingWindow: 30, cooldown: 200, spatialTolerance: 0.05 },
    ],
  },
  {
    name: 'likelihood(robust-z)+spatial',
    about: "HTM's anomaly likelihood over robust-z, and a value beyond the range learned (tolerance 5%)",
    settings: [
      { kind: 'likelihood', raw: { kind: 'robust-z' }, averagingWindow: 10, cooldown: 200, spatialTolerance: 0.05 },
      { kind: 'likelihood', raw: { kind: 'robust-z' }, averagingWindow: 20, cooldown: 200, spatialTolerance: 0.05 },
    ],
  },
  {
    name: 'likelihood(ewma)+spatial',
    about: "HTM's anomaly likelihood over ewma, and a value beyond the range learned (tolerance 5%)",
    settings: [
      { kind: 'likelihood', raw: { kind: 'ewma' }, averagingWindow: 10, cooldown: 200, spatialTolerance: 0.05 },
      { kind: 'likelihood', raw: { kind: 'ewma' }, averagingWindow: 20, cooldown: 200, spatialTolerance: 0.05 },
    ],
  },
  {
    name: 'seasonal-or-likelihood+spatial',
    about: 'seasonal (threshold 8) or likelihood(seasonal)+spatial (max), one cooldown',
    settings: [
      {
        kind: 'ensemble',
        combine: 'max',
        members: [
          { kind: 'seasonal', threshold: 8 },
          { kind: 'likelihood', raw: { kind: 'seasonal' }, averagingWindow: 10, spatialTolerance: 0.05 },
        ],
        cooldown: 200,
      },
      {
        kind: 'ensemble',
        combine: 'max',
        members: [
          { kind: 'seasonal', threshold: 8 },
          { kind: 'likelihood', raw: { kind: 'seasonal' }, averagingWindow: 30, spatialTolerance: 0.05 },
        ],
        cooldown: 200,
      },
    ],
  },
  {
    name: 'resonance',
    about: "adaptive resonance over the recent course (ARTime's approach, streaming, 32 categories)",
    settings: [3, 5, 7].map((step): DetectorSpec => ({ kind: 'resonance', step })),
  },
  {
    name: 'seasonal-or-likelihood+spatial-or-resonance',
    about: 'seasonal (threshold 8), likelihood(seasonal)+spatial or resonance (max), one cooldown',
    settings: [3, 5, 7].map((step): DetectorSpec => ({
      kind: 'ensemble',
      combine: 'max',
      members: [
        { kind: 'seasonal', threshold: 8 },
        { kind: 'likelihood', raw: { kind: 'seasonal' }, averagingWindow: 30, spatialTolerance: 0.05 },
        { kind: 'resonance', step },
      ],
      cooldown: 200,
    })),
  },
];

export const NAB_FAMILY_NAMES = NAB_FAMILIES.map((f) => f.name);
