/**
 * Sinks for records and dead letters that need no Kafka: in memory (tests) and JSON lines (`--dry-run`).
 * The Kafka runner has its own (producers/apis/kafka-runner.ts).
 */
import type { OutgoingRecord } from '../../engine/engine';
import type { DeadLetter, DeadLetterSink, RecordSink } from './types';

export class MemorySink implements RecordSink {
  readonly records: OutgoingRecord[] = [];

  write(records: readonly OutgoingRecord[]): void {
    this.records.push(...records);
  }
}

export class MemoryDeadLetters implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];

  send(letter: DeadLetter): void {
    this.letters.push(letter);
  }
}

/** One JSON object per record, `{topic, key, timestamp, value}`, for people and pipes. */
export class JsonLinesSink implements RecordSink {
  constructor(private readonly write_: (line: string) => void) {}

  write(records: readonly OutgoingRecord[]): void {
    for (const r of records)
      this.write_(JSON.stringify({ topic: r.topic, key: r.key, timestamp: r.timestamp, value: r.value }));
  }
}

/** Dead letters as JSON lines, marked as such, with what the Kafka runner would put in headers. */
export class JsonLinesDeadLetters implements DeadLetterSink {
  constructor(private readonly write_: (line: string) => void) {}

  send(letter: DeadLetter): void {
    this.write_(JSON.stringify({ deadLetter: { topic: 'dlq.ingest', ...letter } }));
  }
}
