import { LADDER_DEFAULTS, nextRate, roundRate, type LadderStep } from './ladder';

/** Runs the ladder against a pipeline that sustains every rate up to `capacity`. */
function climb(capacity: number, options = LADDER_DEFAULTS): number[] {
  const history: LadderStep[] = [];
  for (let rate = nextRate(history, options); rate !== undefined; rate = nextRate(history, options)) {
    history.push({ rate, sustained: rate <= capacity });
    if (history.length > 50) throw new Error('the ladder does not end');
  }
  return history.map((s) => s.rate);
}

describe('roundRate', () => {
  it('keeps two significant figures', () => {
    expect(roundRate(1414.2)).toBe(1400);
    expect(roundRate(2828)).toBe(2800);
    expect(roundRate(35)).toBe(35);
    expect(roundRate(7.4)).toBe(7);
    expect(roundRate(0)).toBe(0);
  });
});

describe('nextRate', () => {
  it('climbs geometrically, then bisects between the last pass and the first failure', () => {
    // 250, 500, 1000, 2000 pass; 4000 fails; then 2800 (fails), 2400 (passes).
    expect(climb(2500)).toEqual([250, 500, 1000, 2000, 4000, 2800, 2400]);
  });

  it('stops at max when every step holds', () => {
    expect(climb(1e9, { ...LADDER_DEFAULTS, max: 2000 })).toEqual([250, 500, 1000, 2000]);
  });

  it('steps down when the first step fails, then refines', () => {
    expect(climb(100)).toEqual([250, 130, 65, 92, 110]);
  });

  it('gives up below min', () => {
    expect(climb(1, { ...LADDER_DEFAULTS, min: 50 })).toEqual([250, 130, 65]);
  });

  it('takes explicit rates in order and stops at the first failure', () => {
    const options = { ...LADDER_DEFAULTS, rates: [100, 300, 900, 2700] };
    expect(climb(500, options)).toEqual([100, 300, 900]);
    expect(climb(1e9, options)).toEqual([100, 300, 900, 2700]);
  });

  it('does not refine when the two rates are within 10%', () => {
    const history: LadderStep[] = [
      { rate: 1000, sustained: true },
      { rate: 1050, sustained: false },
    ];
    expect(nextRate(history, LADDER_DEFAULTS)).toBeUndefined();
  });

  it('climbs on when a noisy machine failed a rate below one that held', () => {
    const history: LadderStep[] = [
      { rate: 250, sustained: false },
      { rate: 130, sustained: true },
      { rate: 250, sustained: true },
    ];
    // 250 both failed and held: the highest pass (250) has no failure above it.
    expect(nextRate(history, LADDER_DEFAULTS)).toBe(500);
  });
});
