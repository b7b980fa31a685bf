import { judgeLag, median, rateBetween, secondsOf, type LagSample } from './judge';

/** One sample every 10 s over a 10-minute step. */
const samples = (recordsAt: (i: number) => number | undefined, n = 60): LagSample[] =>
  Array.from({ length: n }, (_, i) => ({ t: i * 10_000, records: recordsAt(i) }));

describe('judgeLag', () => {
  it('sustains a consumer a few seconds behind, and not one steadily over 30 s of its input', () => {
    // 1000 records/s of input: the budget is 30,000 records.
    const steady = judgeLag(
      samples((i) => 2_000 + (i % 3) * 500),
      1000,
    );
    expect(steady.verdict).toBe('sustained');
    expect(steady.budgetRecords).toBe(30_000);
    expect(steady.lastSeconds).toBeCloseTo(2.5);

    const over = judgeLag(
      samples(() => 40_000),
      1000,
    );
    expect(over.verdict).toBe('behind');
    expect(over.lastSeconds).toBe(40);
  });

  it('calls a lag that grows by more than a third of the budget over the step growing, even under it', () => {
    // From 0 to 20,000 records (20 s of input) over the step: still under 30 s, but growing.
    const growing = judgeLag(
      samples((i) => i * 340),
      1000,
    );
    expect(growing.verdict).toBe('growing');
    // The control: the same lag, flat.
    expect(
      judgeLag(
        samples(() => 20_000),
        1000,
      ).verdict,
    ).toBe('sustained');
  });

  it('is not failed by the burst of a window closing once a minute', () => {
    // 20 records/s of windows; every sixth sample catches 5,000 keys' windows not yet read.
    const bursty = judgeLag(
      samples((i) => (i % 6 === 0 ? 5_000 : 10)),
      20,
    );
    expect(bursty.verdict).toBe('sustained');
    expect(bursty.maxSeconds).toBe(250);
    // The control: a consumer that never drains the bursts.
    expect(
      judgeLag(
        samples((i) => 5_000 + i * 100),
        20,
      ).verdict,
    ).toBe('behind');
  });

  it('gives a quiet topic a floor of 100 records: transaction markers are not lag', () => {
    expect(
      judgeLag(
        samples(() => 12),
        0.01,
      ).verdict,
    ).toBe('sustained');
    expect(
      judgeLag(
        samples(() => 150),
        0.01,
      ).verdict,
    ).toBe('behind');
  });

  it('calls a consumer that could not be read in more than a third of the samples missing', () => {
    expect(
      judgeLag(
        samples((i) => (i % 2 ? undefined : 0)),
        100,
      ).verdict,
    ).toBe('missing');
    expect(
      judgeLag(
        samples((i) => (i % 4 === 0 ? undefined : 0)),
        100,
      ).verdict,
    ).toBe('sustained');
  });

  it('judges a short step of a few samples', () => {
    expect(
      judgeLag(
        samples(() => 0, 3),
        100,
      ).verdict,
    ).toBe('sustained');
    expect(judgeLag([], 100).verdict).toBe('missing');
  });
});

describe('helpers', () => {
  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBe(0);
  });

  it('secondsOf: nothing behind is 0 s even with no input', () => {
    expect(secondsOf(0, 0)).toBe(0);
    expect(secondsOf(10, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(secondsOf(500, 100)).toBe(5);
  });

  it('rateBetween sums the growth of the topics named', () => {
    const from = {
      t: 0,
      offsets: new Map([
        ['a', 100],
        ['b', 50],
        ['c', 0],
      ]),
    };
    const to = {
      t: 10_000,
      offsets: new Map([
        ['a', 1100],
        ['b', 550],
        ['c', 999],
      ]),
    };
    expect(rateBetween(from, to, ['a', 'b'])).toBe(150);
    expect(rateBetween(from, to, ['missing'])).toBe(0);
    // A topic read at one end only is left out, not counted from 0.
    expect(rateBetween({ t: 0, offsets: new Map() }, to, ['a'])).toBe(0);
  });
});
