/**
 * Pure, seeded simulators of three event sources (web access logs, IoT sensor readings, financial
 * transactions) with reference data and labelled anomalies. No Kafka and no I/O here: the producer
 * engine sends what they generate. docs/guides/producers.md describes every field, distribution and
 * anomaly.
 */
import { SluiceError } from '../../lib/errors';
import { FINANCE_ANOMALY_KINDS, FinanceSimulator, readFinanceOptions, type FinanceSimulatorOptions } from './finance';
import { IOT_ANOMALY_KINDS, IotSimulator, readIotOptions, type IotSimulatorOptions } from './iot';
import { OptionReader } from './options';
import { SIMULATOR_SOURCES, type Simulator, type SimulatorSource } from './types';
import { WEB_ANOMALY_KINDS, WebSimulator, readWebOptions, type WebSimulatorOptions } from './web';

export type { AnomalyLabel, SimulatedRecord, Simulator, SimulatorSource } from './types';
export { SIMULATOR_SOURCES } from './types';
export { SIMULATOR_TOPICS, TOPIC_SCHEMAS, topicsOf, type SourceTopics } from './topics';
export type { CommonSimulatorOptions, OptionProblem } from './options';
export type { WebSimulatorOptions, WebAccessLog, IpRange } from './web';
export type { IotSimulatorOptions, IotReading, DeviceRecord, Sensor } from './iot';
export type { FinanceSimulatorOptions, FinancialTransaction, AccountRecord, Channel } from './finance';
export { WEB_ANOMALY_KINDS, IOT_ANOMALY_KINDS, FINANCE_ANOMALY_KINDS };
export { Random, type Seed } from './random';

export const ANOMALY_KINDS: Readonly<Record<SimulatorSource, readonly string[]>> = {
  web: WEB_ANOMALY_KINDS,
  iot: IOT_ANOMALY_KINDS,
  finance: FINANCE_ANOMALY_KINDS,
};

export interface SimulatorOptionsBySource {
  web: WebSimulatorOptions;
  iot: IotSimulatorOptions;
  finance: FinanceSimulatorOptions;
}

const READERS = { web: readWebOptions, iot: readIotOptions, finance: readFinanceOptions } as const;

/** The option names a simulator takes (the common ones first), e.g. to map command-line flags. */
export function simulatorOptionNames(source: SimulatorSource): string[] {
  const reader = new OptionReader(source, {});
  READERS[source](reader);
  return reader.known;
}

/**
 * A simulator for `source`. Options are checked first: every bad value is reported at once in a
 * SluiceError('SLUICE_CONFIG_INVALID') naming the option and a fix. The untyped overload is for options
 * that come from a command line or a file.
 */
export function createSimulator<S extends SimulatorSource>(source: S, options?: SimulatorOptionsBySource[S]): Simulator;
export function createSimulator(source: string, options?: Readonly<Record<string, unknown>>): Simulator;
export function createSimulator(source: string, options: unknown = {}): Simulator {
  if (!(SIMULATOR_SOURCES as readonly string[]).includes(source)) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', `there is no '${source}' simulator`, {
      path: 'source',
      fix: `use one of: ${SIMULATOR_SOURCES.join(', ')}`,
    });
  }
  const typed = source as SimulatorSource;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new SluiceError(
      'SLUICE_CONFIG_INVALID',
      `the options of the ${typed} simulator must be an object, got ${Array.isArray(options) ? 'a list' : String(options)}`,
      {
        path: 'options',
        fix: 'pass an object such as { seed: 42, anomalyRate: 6 }',
      },
    );
  }
  const reader = new OptionReader(typed, options as Record<string, unknown>);
  switch (typed) {
    case 'web': {
      const resolved = readWebOptions(reader);
      reader.done();
      return new WebSimulator(resolved);
    }
    case 'iot': {
      const resolved = readIotOptions(reader);
      reader.done();
      return new IotSimulator(resolved);
    }
    case 'finance': {
      const resolved = readFinanceOptions(reader);
      reader.done();
      return new FinanceSimulator(resolved);
    }
  }
}
