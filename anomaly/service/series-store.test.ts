import { SeriesStore } from './series-store';

const ids = (entries: Array<[string, unknown]>) => entries.map(([id]) => id);

describe('SeriesStore (segmented LRU)', () => {
  test('never holds more than its limit: a new series evicts the least recently used one', () => {
    const store = new SeriesStore<number>(3);
    expect(store.add('a', 1)).toEqual([]);
    store.add('b', 2);
    store.add('c', 3);
    store.touch('a'); // b is now the least recent
    expect(ids(store.add('d', 4))).toEqual(['b']);
    expect(store.size).toBe(3);
    expect(ids([...store.entries()])).toEqual(['c', 'a', 'd']);
  });

  test('a burst of new series churns through probation and leaves the protected ones alone', () => {
    const store = new SeriesStore<string>(10);
    for (let i = 0; i < 5; i++) {
      store.add(`est-${i}`, 'established');
      store.protect(`est-${i}`);
    }
    const evicted: string[] = [];
    for (let i = 0; i < 10_000; i++) evicted.push(...ids(store.add(`burst-${i}`, 'one-off')));
    expect(store.size).toBe(10);
    expect(evicted).toHaveLength(10_000 - 5);
    expect(evicted.every((id) => id.startsWith('burst-'))).toBe(true);
    for (let i = 0; i < 5; i++) expect(store.isProtected(`est-${i}`)).toBe(true);
  });

  test('protected holds at most its share: the least recent protected series is demoted to probation, and goes first', () => {
    const store = new SeriesStore<number>(5, 0.4); // 2 protected
    for (const id of ['a', 'b', 'c']) {
      store.add(id, 0);
      store.protect(id);
    }
    expect(store.protectedSize).toBe(2);
    expect(store.isProtected('a')).toBe(false); // demoted
    store.add('d', 0);
    store.add('e', 0);
    expect(ids(store.add('f', 0))).toEqual(['a']);
  });

  test('with probation empty, the least recent protected series is evicted', () => {
    const store = new SeriesStore<number>(2, 1);
    store.add('a', 0);
    store.protect('a');
    store.add('b', 0);
    store.protect('b');
    expect(ids(store.add('c', 0))).toEqual(['a']);
  });

  test('get, has, delete; a limit below one is refused', () => {
    const store = new SeriesStore<number>(2);
    store.add('a', 7);
    expect(store.get('a')).toBe(7);
    expect(store.has('b')).toBe(false);
    expect(store.delete('a')).toBe(7);
    expect(store.size).toBe(0);
    expect(() => new SeriesStore(0)).toThrow(RangeError);
  });
});
