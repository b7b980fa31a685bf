import { SluiceError } from '../../lib/errors';
import {
  MIN_TRANSACTION_BYTES,
  RecoveryPolicy,
  TransactionLimits,
  chunks,
  classifyFailure,
  splitDrained,
} from './batching';
import type { Drained } from './processor';

const NAMES = { group: 'g', transactionalId: 'g', alertsTopic: 'alerts', stateTopic: 'anomaly.state' };
/** What kafkajs throws when a batch exceeds max.message.bytes (the type is what classifyFailure reads). */
const tooLarge = () =>
  Object.assign(new Error('The request included a message larger than the max message size the server will accept'), {
    type: 'MESSAGE_TOO_LARGE',
  });

test("state records are sent in chunks that keep each record batch under the brokers' 1 MB", () => {
  const records = Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(398) }));
  expect(chunks(records, 1000).map((c) => c.map((r) => r.key))).toEqual([['k0', 'k1'], ['k2', 'k3'], ['k4']]);
  expect(
    chunks(
      [
        { key: 'big', value: 'x'.repeat(5000) },
        { key: 'k', value: null },
      ],
      1000,
    ).map((c) => c.length),
  ).toEqual([1, 1]);
});

test('writes without offsets are split into transactions within the budget, alerts and incidents first', () => {
  const snapshot = (i: number) => ({ key: JSON.stringify(['detector', 't', 'm', `k${i}`]), value: 'x'.repeat(400) });
  const drained: Drained = {
    events: [{ type: 'resolved', incident: { id: 'inc-1' } as never }],
    state: [snapshot(0), { key: '["incident","t","k9"]', value: null }, snapshot(1), snapshot(2), snapshot(3)],
  };
  const parts = splitDrained(drained, 1000, () => 100);
  expect(parts.map((p) => [p.events.length, p.state.map((s) => JSON.parse(s.key)[0] + JSON.parse(s.key)[3])])).toEqual([
    [1, ['incidentundefined', 'detectork0', 'detectork1']],
    [0, ['detectork2', 'detectork3']],
  ]);
  expect(splitDrained({ events: [], state: [] }, 1000, () => 100)).toEqual([]);
});

test('a failure is classified: fenced, too large, concurrent with the previous transaction, or other (through causes)', () => {
  expect(classifyFailure(Object.assign(new Error('x'), { type: 'PRODUCER_FENCED' }))).toBe('fenced');
  expect(classifyFailure(new SluiceError('SLUICE_KAFKA_ERROR', 'anomaly: transaction', { cause: tooLarge() }))).toBe(
    'too-large',
  );
  expect(
    classifyFailure(
      Object.assign(
        new Error(
          'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
        ),
        {
          type: 'CONCURRENT_TRANSACTIONS',
        },
      ),
    ),
  ).toBe('concurrent');
  expect(classifyFailure(new Error('Connection timeout'))).toBe('other');
});

describe('TransactionLimits', () => {
  test('halve on a refusal down to one record and the smallest size, then refuse to shrink', () => {
    const limits = new TransactionLimits(1000, 4_000_000);
    let shrinks = 0;
    while (limits.shrink()) shrinks++;
    expect(shrinks).toBe(9);
    expect([limits.records, limits.bytes]).toEqual([1, MIN_TRANSACTION_BYTES]);
  });

  test('double back towards the configured ones after 20 transactions in a row', () => {
    const limits = new TransactionLimits(1000, 4_000_000);
    limits.shrink();
    limits.shrink();
    for (let i = 0; i < 19; i++) limits.succeeded();
    expect(limits.records).toBe(250);
    limits.succeeded();
    expect([limits.records, limits.bytes]).toEqual([500, 2_000_000]);
    for (let i = 0; i < 40; i++) limits.succeeded();
    expect([limits.records, limits.bytes, limits.shrunk]).toEqual([1000, 4_000_000, false]);
  });
});

describe('RecoveryPolicy: a failure to commit is never a loop', () => {
  test('a transaction refused as too large goes on with smaller ones; at one record it stops, saying which setting to change', () => {
    const policy = new RecoveryPolicy(new TransactionLimits(1000, 4_000_000), NAMES);
    const actions: string[] = [];
    for (;;) {
      const r = policy.failed(tooLarge());
      actions.push(r.action);
      if (r.action === 'stop') {
        expect(r.error.code).toBe('SLUICE_KAFKA_ERROR');
        expect(r.error.message).toMatch(/refuse as too large even a transaction of one input record/);
        expect(r.error.fix).toMatch(/max\.message\.bytes on the topics alerts and anomaly\.state/);
        break;
      }
      expect(r.note).toMatch(/going on with at most \d+ records/);
    }
    expect(actions).toEqual([...Array<string>(9).fill('rebuild'), 'stop']);
  });

  test('other failures back off and stop after 5 in a row without progress; progress starts the count again', () => {
    const policy = new RecoveryPolicy(new TransactionLimits(10, 100_000), NAMES);
    const broken = new Error('Broker not available');
    expect([1, 2, 3, 4].map(() => policy.failed(broken))).toEqual([
      { action: 'rebuild', delayMs: 2000 },
      { action: 'rebuild', delayMs: 4000 },
      { action: 'rebuild', delayMs: 8000 },
      { action: 'rebuild', delayMs: 16000 },
    ]);
    policy.progressed();
    expect(policy.failed(broken)).toEqual({ action: 'rebuild', delayMs: 2000 });
    for (let i = 0; i < 3; i++) policy.failed(broken);
    const last = policy.failed(broken);
    expect(last.action).toBe('stop');
    if (last.action === 'stop')
      expect(last.error.message).toBe(
        '5 transactions failed in a row without progress; the last: Broker not available',
      );
    // A rebuild asked for (partitions reassigned) does not count.
    const fresh = new RecoveryPolicy(new TransactionLimits(10, 100_000), NAMES);
    expect(fresh.failed(new Error('partitions reassigned'), false)).toEqual({ action: 'rebuild', delayMs: 1000 });
  });

  test('a fenced producer stops at once', () => {
    const r = new RecoveryPolicy(new TransactionLimits(10, 100_000), NAMES).failed(
      Object.assign(new Error('fenced'), { type: 'PRODUCER_FENCED' }),
    );
    expect(r.action === 'stop' && r.error.message).toMatch(/^fenced by another anomaly service instance of group g/);
  });
});
