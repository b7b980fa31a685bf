import { Payload, PayloadError } from './payload';

function failure(run: () => unknown): PayloadError {
  try {
    run();
  } catch (error) {
    if (error instanceof PayloadError) return error;
    throw error;
  }
  throw new Error('no PayloadError');
}

describe('Payload', () => {
  const answer = Payload.of('openaq', {
    results: [{ value: 1.5, datetime: { utc: '2024-09-25T22:00:00Z' }, extra: { ignored: true } }, { value: 'high' }],
    'Global Quote': { '05. price': '112.6300', '10. change percent': '-0.5852%' },
  });

  it('reads what it is asked for and nothing else', () => {
    expect(answer.at('results', 0, 'value').number()).toBe(1.5);
    expect(answer.at('results', 0, 'datetime', 'utc').isoTime()).toBe(Date.UTC(2024, 8, 25, 22));
    expect(answer.at('results', 0, 'missing').optNumber()).toBeNull();
    expect(answer.at('Global Quote', '05. price').numeric()).toBe(112.63);
    expect(answer.at('Global Quote', '10. change percent').numeric()).toBe(-0.5852);
  });

  it('names the API and the path of a missing or mistyped field', () => {
    const missing = failure(() => answer.at('results', 1, 'datetime', 'utc').isoTime());
    expect([missing.code, missing.api, missing.field, missing.problem, missing.message]).toEqual([
      'SLUICE_API_PAYLOAD_INVALID',
      'openaq',
      'results[1].datetime.utc',
      'missing-field',
      'openaq: required field results[1].datetime.utc is missing',
    ]);
    const mistyped = failure(() => answer.at('results', 1, 'value').number());
    expect(mistyped.message).toBe('openaq: field results[1].value must be a number, got "high"');
    expect(failure(() => answer.at('Global Quote', '01. symbol').string()).field).toBe(
      '["Global Quote"]["01. symbol"]',
    );
  });

  it("accepts Facebook's +0000 offsets and refuses times without a zone", () => {
    expect(Payload.of('facebook', '2019-05-17T16:24:04+0000').isoTime()).toBe(Date.UTC(2019, 4, 17, 16, 24, 4));
    expect(failure(() => Payload.of('x', '2019-05-17T16:24:04').isoTime()).problem).toBe('invalid-field');
  });
});
