/**
 * A small discrete-event loop. Each process (the traffic of a source, one device, the anomaly scheduler,
 * the planned events of one anomaly) knows the time of its next event; the loop fires them in time
 * order, ties broken by the order in which processes were added. Because every process has its own
 * random stream and fires in time order, the records up to a time do not depend on how the simulated
 * time was cut into `next(now)` calls.
 */
import type { DiurnalCurve } from './diurnal';
import { exponential } from './distributions';
import type { Random } from './random';
import type { SimulatedRecord } from './types';

export interface Process {
  /** Time of the next event (ms, may have a fraction), or Infinity when the process is done. */
  readonly nextTime: number;
  /** Emits the records of the next event into `out` and moves nextTime forward. */
  fire(out: SimulatedRecord[]): void;
}

interface Entry {
  process: Process;
  order: number;
  time: number;
}

export class Scheduler {
  private readonly heap: Entry[] = [];
  private added = 0;

  add(process: Process): void {
    if (!Number.isFinite(process.nextTime)) return;
    this.push({ process, order: this.added++, time: process.nextTime });
  }

  /**
   * Fires every event whose millisecond (floor of its time) is at or before `now`. The entry fired is
   * moved in place (one sift instead of a pop and a push, and no allocation per event): at 20,000 events
   * a second this loop is the simulator's hottest.
   */
  runUntil(now: number, out: SimulatedRecord[]): void {
    const heap = this.heap;
    for (;;) {
      const top = heap[0];
      if (!top || Math.floor(top.time) > now) return;
      top.process.fire(out);
      const time = top.process.nextTime;
      if (time < top.time) throw new Error('a simulator process moved back in time');
      // fire() may have added processes (an anomaly's), which can sit above the entry fired now.
      const at = heap[0] === top ? 0 : heap.indexOf(top);
      if (Number.isFinite(time)) {
        top.time = time;
        this.siftDown(at);
      } else {
        this.removeAt(at);
      }
    }
  }

  private less(a: Entry, b: Entry): boolean {
    return a.time < b.time || (a.time === b.time && a.order < b.order);
  }

  private push(entry: Entry): void {
    this.heap.push(entry);
    this.siftUp(this.heap.length - 1);
  }

  /** Removes the entry at `index`, keeping the heap ordered. */
  private removeAt(index: number): void {
    const heap = this.heap;
    const last = heap.pop() as Entry;
    if (index === heap.length) return;
    heap[index] = last;
    this.siftUp(index);
    this.siftDown(index);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i] as Entry, heap[parent] as Entry)) break;
      [heap[i], heap[parent]] = [heap[parent] as Entry, heap[i] as Entry];
      i = parent;
    }
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    let i = index;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < heap.length && this.less(heap[l] as Entry, heap[smallest] as Entry)) smallest = l;
      if (r < heap.length && this.less(heap[r] as Entry, heap[smallest] as Entry)) smallest = r;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest] as Entry, heap[i] as Entry];
      i = smallest;
    }
  }
}

/** A process that emits records planned in advance (the events of one anomaly), in timestamp order. */
export class PlannedRecords implements Process {
  private readonly records: SimulatedRecord[];
  private index = 0;

  constructor(records: SimulatedRecord[]) {
    this.records = [...records].sort((a, b) => a.timestamp - b.timestamp);
  }

  get nextTime(): number {
    return this.records[this.index]?.timestamp ?? Infinity;
  }

  fire(out: SimulatedRecord[]): void {
    const record = this.records[this.index++];
    if (record) out.push(record);
  }
}

/**
 * Events at the times of a Poisson process of `perSecond` events per second, modulated by `curve`
 * (a diurnal multiplier) by thinning: candidates come at the peak rate and each is kept with
 * probability curve(t) / curve.max.
 */
export class PoissonTraffic implements Process {
  nextTime: number;
  private readonly peakPerMs: number;

  constructor(
    private readonly rng: Random,
    origin: number,
    perSecond: number,
    private readonly curve: DiurnalCurve | undefined,
    private readonly emit: (t: number, out: SimulatedRecord[]) => void,
  ) {
    this.peakPerMs = (perSecond / 1000) * (curve?.max ?? 1);
    this.nextTime = perSecond > 0 ? this.after(origin) : Infinity;
  }

  private after(from: number): number {
    let t = from;
    for (;;) {
      t += exponential(this.rng, this.peakPerMs);
      if (!this.curve || this.rng.next() * this.curve.max < this.curve.at(t)) return t;
    }
  }

  fire(out: SimulatedRecord[]): void {
    const t = this.nextTime;
    this.emit(Math.floor(t), out);
    this.nextTime = this.after(t);
  }
}

/**
 * Events at a steady `perSecond`, for a load generator that must hold its rate: time is cut into slots
 * of 1/perSecond and one event falls at a uniformly random point of each slot. Over any window of T
 * seconds there are perSecond × T events within one, even at 1 event/s (a Poisson process would be off
 * by 13% over a minute at that rate), while the times between events stay irregular.
 */
export class SteadyTraffic implements Process {
  nextTime: number;
  private slot = 0;
  private readonly slotMs: number;

  constructor(
    private readonly rng: Random,
    private readonly origin: number,
    perSecond: number,
    private readonly emit: (t: number, out: SimulatedRecord[]) => void,
  ) {
    this.slotMs = perSecond > 0 ? 1000 / perSecond : Infinity;
    this.nextTime = perSecond > 0 ? this.timeIn(0) : Infinity;
  }

  /** A time in (start, end] of slot `slot`, so the first event comes after the origin. */
  private timeIn(slot: number): number {
    return this.origin + (slot + 1 - this.rng.next()) * this.slotMs;
  }

  fire(out: SimulatedRecord[]): void {
    const t = this.nextTime;
    this.emit(Math.floor(t), out);
    this.nextTime = this.timeIn(++this.slot);
  }
}

/** Whole-ms times of a homogeneous Poisson process of `perSecond` in [start, end], at least `min` of them. */
export function arrivals(rng: Random, start: number, end: number, perSecond: number, min = 1): number[] {
  const times: number[] = [];
  let t = start;
  for (;;) {
    t += exponential(rng, perSecond / 1000);
    if (t > end) break;
    times.push(Math.floor(t));
  }
  while (times.length < min) times.push(rng.int(start, end));
  return times.sort((a, b) => a - b);
}
