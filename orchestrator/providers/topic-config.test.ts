import { normaliseConfig, normaliseConfigValue } from './topic-config';

describe('normaliseConfigValue', () => {
  it.each([
    ['604800000', '604800000'],
    [' 2 ', '2'],
    ['+5', '5'],
    ['007', '7'],
    ['9223372036854775807', '9223372036854775807'],
    ['-1', '-1'],
    ['1e3', '1000'],
    ['0.50', '0.5'],
    ['True', 'true'],
    ['compact, delete', 'compact,delete'],
    ['lz4', 'lz4'],
  ])('%s -> %s', (input, expected) => {
    expect(normaliseConfigValue(input)).toBe(expected);
  });

  it('sorts keys', () => {
    expect(Object.keys(normaliseConfig({ 'retention.ms': '1', 'cleanup.policy': 'compact' }))).toEqual([
      'cleanup.policy',
      'retention.ms',
    ]);
  });
});
