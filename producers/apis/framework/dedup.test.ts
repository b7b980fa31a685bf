import { Deduplicator } from './dedup';

describe('Deduplicator', () => {
  it('drops a repeat, passes a change, and passes the old content again after a change', () => {
    const dedup = new Deduplicator();
    expect(dedup.admit('openaq:sensor/1', '{"value":1}')).toBe(true);
    expect(dedup.admit('openaq:sensor/1', '{"value":1}')).toBe(false);
    expect(dedup.admit('openaq:sensor/1', '{"value":2}')).toBe(true);
    expect(dedup.admit('openaq:sensor/1', '{"value":1}')).toBe(true);
    expect(dedup.admit('openaq:sensor/2', '{"value":1}')).toBe(true);
  });

  it('keeps at most maxEntries identities, forgetting the least recently seen', () => {
    const dedup = new Deduplicator(3);
    for (const id of ['a', 'b', 'c']) dedup.admit(id, 'x');
    dedup.admit('a', 'x'); // a is now the most recent
    dedup.admit('d', 'x'); // evicts b
    expect(dedup.size).toBe(3);
    expect(dedup.admit('a', 'x')).toBe(false);
    expect(dedup.admit('b', 'x')).toBe(true);
    for (let i = 0; i < 10_000; i++) dedup.admit(`n${i}`, 'x');
    expect(dedup.size).toBe(3);
  });
});
