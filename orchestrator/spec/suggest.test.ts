import { closest, editDistance } from './suggest';

describe('closest', () => {
  it.each([
    ['partitons', 'partitions'],
    ['replication_factor', 'replicationFactor'],
    ['replication', 'replicationFactor'],
    ['configs', 'config'],
    ['Produces', 'produces'],
  ])('suggests %s -> %s', (input, expected) => {
    expect(closest(input, ['name', 'description', 'partitions', 'replicationFactor', 'config', 'produces'])).toBe(
      expected,
    );
  });

  it('does not suggest a far or very short match', () => {
    expect(closest('owner', ['name', 'partitions'])).toBeUndefined();
    expect(closest('a', ['x', 'b'])).toBeUndefined();
  });

  it('computes the edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
