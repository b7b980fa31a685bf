/** What every simulator produces and how the producer engine drives it. */

export const SIMULATOR_SOURCES = ['web', 'iot', 'finance'] as const;
export type SimulatorSource = (typeof SIMULATOR_SOURCES)[number];

/** One record to produce. The same shape as the producer engine's OutgoingRecord. */
export interface SimulatedRecord {
  topic: string;
  key: string;
  value: Record<string, unknown>;
  /** Event time, ms since the epoch (the Kafka record timestamp). */
  timestamp: number;
}

export interface Simulator {
  readonly source: SimulatorSource;
  /**
   * Reference data for the source's compacted topic (ref.ip-ranges, ref.devices or ref.accounts), to
   * produce once before the events. The same records on every call. They are timestamped `at`
   * (default 0), so pass the start time or anything before it: a Flink event-time temporal join only
   * finds reference records that are not younger than the event.
   */
  referenceData(at?: number): SimulatedRecord[];
  /**
   * The records whose timestamps fall in (previous now, now], in timestamp order: events on the
   * source topic and, when an anomaly starts, its label on labels.<source>. The first call only sets
   * the start of simulated time and returns nothing; a `now` that does not move forward returns
   * nothing. How often it is called does not change the records: the same seed and the same first
   * `now` give the same records up to any time, whatever the steps in between.
   */
  next(now: number): SimulatedRecord[];
  /**
   * Events per second on the source topic that the simulator aims for at time `t` (ms since the epoch),
   * before anomalies: the mean rate shaped by the source's daily curve. Over a minute, the events sent
   * follow it within Poisson noise; tests and dashboards compare against it.
   */
  expectedRate(t: number): number;
}

/** The value of an anomaly label record (schemas/anomaly-label.avsc). */
export type AnomalyLabel = {
  label_id: string;
  source: SimulatorSource;
  kind: string;
  key: string;
  start_ts: number;
  end_ts: number;
  /** JSON object; always has key_field. */
  detail: string;
};
