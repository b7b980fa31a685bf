/**
 * The IoT simulator: a fleet of environmental sensor devices on a few sites (cold stores, warehouses,
 * server rooms, greenhouses, offices). Each device reports temperature, humidity, pressure and battery
 * every `intervalMs`: a daily cycle in local solar time, a slow random drift, weather for the pressure,
 * noise, and a battery that runs down (and is swapped at 5%). Anomalies: a spike over the threshold, a
 * stuck sensor, a dropped sensor (null values, or no readings at all), and a drift.
 */
import { BaseSimulator, BusyKeys, type PlannedAnomaly } from './base';
import { TIME, dailyCycle } from './diurnal';
import { Weighted, normal, round } from './distributions';
import { COUNTRIES, type City } from './geo';
import { readCommonOptions, type CommonSimulatorOptions, type OptionReader } from './options';
import { Random } from './random';
import type { Process, Scheduler } from './scheduler';
import { SIMULATOR_TOPICS } from './topics';
import type { SimulatedRecord } from './types';

export const IOT_ANOMALY_KINDS = ['spike', 'stuck_sensor', 'dropped_sensor', 'drift'] as const;
export type IotAnomalyKind = (typeof IOT_ANOMALY_KINDS)[number];

export const SENSORS = ['temperature_c', 'humidity_pct', 'pressure_hpa'] as const;
export type Sensor = (typeof SENSORS)[number];

export interface IotSimulatorOptions extends CommonSimulatorOptions {
  /** Devices in the fleet. Default 50. */
  devices?: number;
  /** Sites the devices are spread over (at most one per device). Default 5. */
  sites?: number;
  /** Time between two readings of one device, in ms. Default 10000. */
  intervalMs?: number;
}

export type IotReading = {
  event_id: string;
  ts: number;
  device_id: string;
  site_id: string;
  temperature_c: number | null;
  humidity_pct: number | null;
  pressure_hpa: number | null;
  battery_pct: number;
};

export type DeviceRecord = {
  device_id: string;
  site_id: string;
  site_name: string;
  lat: number;
  lon: number;
  model: string;
  temperature_min_c: number;
  temperature_max_c: number;
  humidity_max_pct: number;
};

interface SiteType {
  name: string;
  label: string;
  temperature: readonly [number, number];
  /** Half the day-night swing of the temperature. */
  temperatureSwing: number;
  humidity: number;
  humidityMax: number;
  models: readonly string[];
}

const SITE_TYPES = new Weighted<SiteType>([
  [
    {
      name: 'cold_storage',
      label: 'cold store',
      temperature: [2, 8],
      temperatureSwing: 0.6,
      humidity: 80,
      humidityMax: 92,
      models: ['ColdChain Probe X2'],
    },
    2,
  ],
  [
    {
      name: 'warehouse',
      label: 'warehouse',
      temperature: [12, 30],
      temperatureSwing: 3,
      humidity: 50,
      humidityMax: 75,
      models: ['EnviroNode 200', 'EnviroNode 300'],
    },
    3,
  ],
  [
    {
      name: 'server_room',
      label: 'server room',
      temperature: [18, 27],
      temperatureSwing: 0.8,
      humidity: 40,
      humidityMax: 60,
      models: ['RackSense 4'],
    },
    1,
  ],
  [
    {
      name: 'greenhouse',
      label: 'greenhouse',
      temperature: [16, 34],
      temperatureSwing: 3.5,
      humidity: 70,
      humidityMax: 90,
      models: ['AgriSense G1', 'EnviroNode 300'],
    },
    1,
  ],
  [
    {
      name: 'office',
      label: 'office',
      temperature: [18, 26],
      temperatureSwing: 1.5,
      humidity: 45,
      humidityMax: 65,
      models: ['ClimaTrack Mini', 'EnviroNode 200'],
    },
    2,
  ],
]);

interface Site {
  id: string;
  name: string;
  type: SiteType;
  lat: number;
  lon: number;
  /** Phases of the two weather waves that move the pressure. */
  weather: readonly [number, number];
}

/** An anomaly acting on one device. */
type Effect =
  | { kind: 'spike'; sensor: Sensor; start: number; end: number; values: number[] }
  | { kind: 'stuck_sensor'; sensor: Sensor; start: number; end: number; value?: number | null }
  | { kind: 'dropped_sensor'; mode: 'null_values'; sensor: Sensor; start: number; end: number }
  | { kind: 'dropped_sensor'; mode: 'no_readings'; start: number; end: number }
  | { kind: 'drift'; sensor: Sensor; start: number; end: number; offset: number };

interface Device {
  record: DeviceRecord;
  site: Site;
  rng: Random;
  /** Offsets from the site's typical values (calibration and placement). */
  temperatureOffset: number;
  humidityOffset: number;
  pressureOffset: number;
  /** Slow random walk added to the temperature. */
  drift: number;
  battery: number;
  /** Battery used per reading, in percent. */
  drain: number;
  effect?: Effect;
  /** Time of the next reading, ms. */
  nextTime: number;
  readings: number;
}

export function readIotOptions(reader: OptionReader) {
  const common = readCommonOptions(reader, IOT_ANOMALY_KINDS);
  const options = {
    ...common,
    devices: reader.number('devices', { default: 50, min: 1, max: 100_000, integer: true, example: 'devices: 50' }),
    sites: reader.number('sites', { default: 5, min: 1, max: 1000, integer: true, example: 'sites: 5' }),
    intervalMs: reader.number('intervalMs', {
      default: 10_000,
      min: 1000,
      max: 3_600_000,
      integer: true,
      example: 'intervalMs: 10000 (one reading per device every 10 s)',
    }),
  };
  if (options.sites > options.devices && reader.problems.length === 0) {
    reader.problem(
      'sites',
      `is ${options.sites}, more than the ${options.devices} devices, so some sites would be empty`,
      `use at most ${options.devices} sites, or more devices`,
    );
  }
  return options;
}

export type ResolvedIotOptions = ReturnType<typeof readIotOptions>;

function makeSites(count: number, rng: Random): Site[] {
  const cities = new Weighted<City>(
    COUNTRIES.flatMap((c) => c.cities.map((city) => [city, c.weight / c.cities.length] as const)),
  );
  return Array.from({ length: count }, (_, i) => {
    const city = cities.sample(rng);
    const type = SITE_TYPES.sample(rng);
    return {
      id: `site-${String(i + 1).padStart(2, '0')}`,
      name: `${city.name} ${type.label}`,
      type,
      lat: round(city.lat + rng.float(-0.05, 0.05), 5),
      lon: round(city.lon + rng.float(-0.05, 0.05), 5),
      weather: [rng.float(0, 2 * Math.PI), rng.float(0, 2 * Math.PI)],
    };
  });
}

export class IotSimulator extends BaseSimulator {
  readonly source = 'iot' as const;
  private readonly topic = SIMULATOR_TOPICS.iot.events;
  private readonly devices: Device[];
  private readonly busy = new BusyKeys();

  constructor(private readonly options: ResolvedIotOptions) {
    const rng = new Random(options.seed).derive('iot');
    super(rng, options.anomalyRate, options.anomalyKinds);
    const world = rng.derive('world');
    const sites = makeSites(options.sites, world);
    this.devices = Array.from({ length: options.devices }, (_, i) => {
      // Round-robin first, so no site is empty; then a random site.
      const site = (i < sites.length ? sites[i] : world.pick(sites)) as Site;
      const [min, max] = site.type.temperature;
      const span = max - min;
      const deviceId = `dev-${String(i + 1).padStart(4, '0')}`;
      const device: Device = {
        record: {
          device_id: deviceId,
          site_id: site.id,
          site_name: site.name,
          lat: round(site.lat + world.float(-0.0005, 0.0005), 6),
          lon: round(site.lon + world.float(-0.0005, 0.0005), 6),
          model: world.pick(site.type.models),
          temperature_min_c: min,
          temperature_max_c: max,
          humidity_max_pct: site.type.humidityMax,
        },
        site,
        rng: rng.derive(`device/${deviceId}`),
        temperatureOffset: Math.max(-0.12 * span, Math.min(0.12 * span, normal(world, 0, 0.05 * span))),
        humidityOffset: Math.max(-4, Math.min(4, normal(world, 0, 2))),
        pressureOffset: normal(world, 0, 0.6),
        drift: 0,
        battery: world.float(35, 100),
        drain: (world.float(0.04, 0.25) * options.intervalMs) / TIME.HOUR_MS,
        nextTime: 0,
        readings: 0,
      };
      return device;
    });
  }

  /** The device registry (ref.devices), keyed by device id. */
  /** Every device reads every intervalMs, day and night; dropped sensors (anomalies) are the exception. */
  expectedRate(): number {
    return (this.options.devices * 1000) / this.options.intervalMs;
  }

  referenceData(at = 0): SimulatedRecord[] {
    return this.devices.map((d) => ({
      topic: SIMULATOR_TOPICS.iot.reference[0]!,
      key: d.record.device_id,
      value: { ...d.record },
      timestamp: at,
    }));
  }

  protected start(origin: number, scheduler: Scheduler): void {
    for (const device of this.devices) {
      // Devices report on their own phase, so the readings spread over the interval.
      device.nextTime = origin + 1 + device.rng.int(0, this.options.intervalMs - 1);
      const process: Process = {
        get nextTime() {
          return device.nextTime;
        },
        fire: (out) => this.read(device, out),
      };
      scheduler.add(process);
    }
  }

  /** The normal value of every sensor at `ts`; draws the same random numbers whatever the anomalies. */
  private measure(device: Device, ts: number): Record<Sensor, number> {
    const { rng, site } = device;
    const [min, max] = site.type.temperature;
    const span = max - min;
    device.drift = Math.max(-0.06 * span, Math.min(0.06 * span, 0.999 * device.drift + normal(rng, 0, 0.0015 * span)));
    const cycle = dailyCycle(ts, site.lon, 15); // warmest mid-afternoon
    const temperature =
      (min + max) / 2 +
      device.temperatureOffset +
      site.type.temperatureSwing * cycle +
      device.drift +
      normal(rng, 0, 0.01 * span);
    const humidity = site.type.humidity + device.humidityOffset - 4 * cycle + normal(rng, 0, 0.6);
    const days = ts / TIME.DAY_MS;
    const weather =
      7 * Math.sin(2 * Math.PI * (days / 3.3) + site.weather[0]) +
      3 * Math.sin(2 * Math.PI * (days / 0.8) + site.weather[1]);
    const pressure = 1013.25 + weather + device.pressureOffset + normal(rng, 0, 0.15);
    return { temperature_c: temperature, humidity_pct: Math.max(0, Math.min(100, humidity)), pressure_hpa: pressure };
  }

  private read(device: Device, out: SimulatedRecord[]): void {
    const ts = device.nextTime;
    device.nextTime = ts + this.options.intervalMs;
    device.readings++;
    const values: Record<Sensor, number | null> = this.measure(device, ts);
    device.battery -= device.drain * (1 + 0.2 * normal(device.rng));
    if (device.battery < 5) device.battery = 100; // swapped
    const eventId = device.rng.uuid();

    const effect = device.effect && ts >= device.effect.start && ts <= device.effect.end ? device.effect : undefined;
    if (effect) {
      switch (effect.kind) {
        case 'spike':
          values[effect.sensor] =
            effect.values[Math.round((ts - effect.start) / this.options.intervalMs)] ?? (effect.values[0] as number);
          break;
        case 'stuck_sensor':
          if (effect.value === undefined) effect.value = values[effect.sensor];
          values[effect.sensor] = effect.value;
          break;
        case 'dropped_sensor':
          if (effect.mode === 'no_readings') return;
          values[effect.sensor] = null;
          break;
        case 'drift':
          values[effect.sensor] =
            (values[effect.sensor] as number) +
            (effect.offset * (ts - effect.start)) / Math.max(1, effect.end - effect.start);
          break;
      }
    }
    const reading: IotReading = {
      event_id: eventId,
      ts,
      device_id: device.record.device_id,
      site_id: device.record.site_id,
      temperature_c: values.temperature_c === null ? null : round(values.temperature_c, 2),
      humidity_pct: values.humidity_pct === null ? null : round(Math.max(0, Math.min(100, values.humidity_pct)), 1),
      pressure_hpa: values.pressure_hpa === null ? null : round(values.pressure_hpa, 1),
      battery_pct: round(device.battery, 1),
    };
    out.push({ topic: this.topic, key: device.record.device_id, value: reading, timestamp: ts });
  }

  protected plan(kind: string, t: number, rng: Random): PlannedAnomaly | undefined {
    const id = this.busy.find(t, () => rng.pick(this.devices).record.device_id);
    if (id === undefined) return undefined;
    const device = this.devices.find((d) => d.record.device_id === id) as Device;
    const interval = this.options.intervalMs;
    // Spans are aligned to the device's readings: the first affected one is the next it takes.
    const start = device.nextTime;
    const readingsFor = (minutesMin: number, minutesMax: number) =>
      Math.max(3, Math.round((rng.float(minutesMin, minutesMax) * TIME.MINUTE_MS) / interval));
    const endAfter = (count: number) => start + (count - 1) * interval;
    const { temperature_max_c: tMax, humidity_max_pct: hMax } = device.record;
    let effect: Effect;
    let detail: Record<string, unknown>;
    switch (kind as IotAnomalyKind) {
      case 'spike': {
        const sensor: Sensor = rng.chance(0.7) ? 'temperature_c' : 'humidity_pct';
        const count = rng.int(1, 3);
        const values = Array.from({ length: count }, () =>
          sensor === 'temperature_c'
            ? round(tMax + rng.float(2, 6), 2)
            : round(hMax + rng.float(0.3, 0.8) * (100 - hMax), 1),
        );
        effect = { kind: 'spike', sensor, start, end: endAfter(count), values };
        detail = {
          sensor,
          threshold: sensor === 'temperature_c' ? tMax : hMax,
          peak: Math.max(...values),
          readings: count,
        };
        break;
      }
      case 'stuck_sensor': {
        const sensor = rng.pick(SENSORS);
        const count = readingsFor(15, 60);
        effect = { kind: 'stuck_sensor', sensor, start, end: endAfter(count) };
        detail = { sensor, readings: count };
        break;
      }
      case 'dropped_sensor': {
        const count = readingsFor(5, 30);
        if (rng.chance(0.5)) {
          effect = { kind: 'dropped_sensor', mode: 'no_readings', start, end: endAfter(count) };
          detail = { mode: 'no_readings', readings: count };
        } else {
          const sensor = rng.pick(SENSORS);
          effect = { kind: 'dropped_sensor', mode: 'null_values', sensor, start, end: endAfter(count) };
          detail = { mode: 'null_values', sensor, readings: count };
        }
        break;
      }
      case 'drift': {
        const sensor = new Weighted<Sensor>([
          ['temperature_c', 6],
          ['humidity_pct', 2],
          ['pressure_hpa', 2],
        ]).sample(rng);
        const count = readingsFor(30, 120);
        const size =
          sensor === 'temperature_c'
            ? rng.float(3, 8)
            : sensor === 'humidity_pct'
              ? rng.float(10, 20)
              : rng.float(8, 15);
        // Humidity drifts away from its nearer bound, so clamping to 0..100 cannot hide it.
        const up = sensor === 'humidity_pct' ? device.site.type.humidity < 60 : rng.chance(0.5);
        const offset = round(up ? size : -size, 2);
        effect = { kind: 'drift', sensor, start, end: endAfter(count), offset };
        detail = { sensor, offset, readings: count };
        break;
      }
      default:
        return undefined;
    }
    device.effect = effect;
    this.busy.hold(id, effect.end, 30 * TIME.MINUTE_MS);
    return { kind, key: id, keyField: 'device_id', start: effect.start, end: effect.end, detail };
  }
}
