/**
 * Storms become one incident. The IncidentBook opens one incident per key; when many keys of one source
 * and metric go anomalous together (a burst of new devices, a site losing power, a bad deploy hitting
 * every path), a person wants ONE alert that says how many and which are worst, not thousands.
 *
 * - **Hold.** A new incident is held back for `waitMs` (wall clock, 2 s by default): long enough for
 *   the rest of a window's records (one Flink commit, read in a few batches) to arrive.
 * - **Group.** When the hold is over, the held incidents of one (source, metric) (the metric that was
 *   strongest when each fired) whose starts lie within `windowMs` of each other (event time) form a
 *   cluster; a cluster of `minSeries` or more becomes a group incident (key `*`), and its members are
 *   not alerted on their own. Fewer are alerted alone, as before.
 * - **Join.** While a group is open, a new incident of its source and metric that starts within
 *   `windowMs` of the group's latest member joins it (an `updated` event refreshes Alertmanager: the
 *   count and the worst), whenever its hold ends.
 * - **Resolution.** Members resolve on their own (back to normal, expired, evicted); the group resolves
 *   when its last member has, with one resolved alert. An incident that resolves while still held is
 *   alerted alone, fired and resolved at once.
 *
 * Pure and clock-free like the book. Members stay in the book (one per key, bounded by the series
 * limit); a group keeps its counts and its `worst` members (a few), so its state record stays small
 * however many members it has. Membership is written on each member's own state record (`alert`,
 * `group`), so a restore rebuilds the counts (`reconcile`).
 */
import type { GroupingConfig } from './config';
import {
  highestSeverity,
  incidentId,
  worseFirst,
  type Evidence,
  type Incident,
  type IncidentEvent,
  type MemberSummary,
} from './incidents';

/** A group's state record: its id, and the group incident or null (a tombstone). */
export interface GroupChange {
  id: string;
  source: string;
  value: Incident | null;
}

/** The metric an incident is grouped by: its strongest when it fired (a pattern: its name). */
export function groupMetric(incident: Incident): string {
  return incident.evidence[0]?.metric ?? '';
}

const groupKey = (source: string, metric: string): string => JSON.stringify([source, metric]);

function copyEvidence(e: Evidence): Evidence {
  return { ...e, reasons: [...e.reasons], expected: e.expected ? { ...e.expected } : null };
}

export class Grouper {
  /** Incidents fired by the book, not alerted yet, by id. */
  private readonly held = new Map<string, Incident>();
  /** Open group incidents, by id. */
  private readonly groups = new Map<string, Incident>();
  /** The latest open group of each (source, metric). */
  private readonly latest = new Map<string, string>();
  /** Groups changed since the last takeDirty, by id, with their source (for the tombstone's key). */
  private readonly dirty = new Map<string, string>();

  constructor(
    private readonly config: GroupingConfig,
    /** A member incident's alerting changed (held → alone or member): its key's state record must be written. */
    private readonly changed: (incident: Incident) => void,
  ) {}

  /** The book's events, in order; returns those to alert now (the rest are held or absorbed by a group). */
  accept(events: IncidentEvent[], now: number): IncidentEvent[] {
    const out: IncidentEvent[] = [];
    for (const event of events) {
      const incident = event.incident;
      if (event.type === 'fired') {
        incident.alert = 'held';
        incident.heldAt = now;
        this.held.set(incident.id, incident);
        this.changed(incident);
      } else if (event.type === 'updated') {
        if (incident.alert === undefined || incident.alert === 'alone') out.push(event);
      } else if (incident.alert === 'held') {
        // Over before its hold: alerted alone, fired and resolved at once.
        this.held.delete(incident.id);
        incident.alert = 'alone';
        delete incident.heldAt;
        out.push({ type: 'fired', incident }, event);
      } else if (incident.alert === 'member') {
        const resolved = this.leave(incident);
        if (resolved) out.push(resolved);
      } else {
        out.push(event);
      }
    }
    return out;
  }

  /** A member resolved: the group counts one fewer, and resolves with its last member. */
  private leave(member: Incident): IncidentEvent | undefined {
    const group = member.group === undefined ? undefined : this.groups.get(member.group);
    if (!group?.members) return undefined;
    group.members.open = Math.max(0, group.members.open - 1);
    this.dirty.set(group.id, group.source);
    if (group.members.open > 0) return undefined;
    return this.close(group, member.resolvedAt ?? group.startedAt);
  }

  private close(group: Incident, at: number): IncidentEvent {
    const members = group.members!;
    this.groups.delete(group.id);
    const gk = groupKey(group.source, members.metric);
    if (this.latest.get(gk) === group.id) this.latest.delete(gk);
    group.resolvedAt = Math.max(at, group.startedAt);
    group.resolution = `all ${members.total} series resolved (back to normal, or no longer tracked)`;
    this.dirty.set(group.id, group.source);
    return { type: 'resolved', incident: group };
  }

  /** When the next held incident's wait ends (wall clock), or undefined when none is held. */
  nextRelease(): number | undefined {
    let next: number | undefined;
    for (const i of this.held.values()) {
      const due = (i.heldAt ?? 0) + this.config.waitMs;
      if (next === undefined || due < next) next = due;
    }
    return next;
  }

  get heldCount(): number {
    return this.held.size;
  }

  /** Held incidents whose wait is over (all of them with `force`): grouped, joined, or alerted alone. */
  release(now: number, force = false): IncidentEvent[] {
    const byMetric = new Map<string, Incident[]>();
    let anyDue = false;
    for (const incident of this.held.values()) {
      const gk = groupKey(incident.source, groupMetric(incident));
      const list = byMetric.get(gk) ?? [];
      list.push(incident);
      byMetric.set(gk, list);
      if (force || now - (incident.heldAt ?? 0) >= this.config.waitMs) anyDue = true;
    }
    if (!anyDue) return [];
    const out: IncidentEvent[] = [];
    const isDue = (i: Incident) => force || now - (i.heldAt ?? 0) >= this.config.waitMs;
    for (const [gk, list] of byMetric) {
      if (!list.some(isDue)) continue;
      list.sort((a, b) => a.startedAt - b.startedAt || a.key.localeCompare(b.key));
      // Join the open group of this source and metric when close enough to its latest member.
      const openId = this.latest.get(gk);
      const open = openId === undefined ? undefined : this.groups.get(openId);
      let rest = list;
      if (open?.members) {
        const joining: Incident[] = [];
        rest = [];
        for (const i of list) {
          if (
            i.startedAt <= open.members.lastStart + this.config.windowMs &&
            i.startedAt >= open.startedAt - this.config.windowMs
          )
            joining.push(i);
          else rest.push(i);
        }
        if (joining.length > 0) {
          this.join(open, joining);
          out.push({ type: 'updated', incident: open });
        }
      }
      // Clusters of the rest: starts within windowMs of the previous one.
      const clusters: Incident[][] = [];
      for (const i of rest) {
        const current = clusters[clusters.length - 1];
        const previous = current?.[current.length - 1];
        if (current && previous && i.startedAt - previous.startedAt <= this.config.windowMs) current.push(i);
        else clusters.push([i]);
      }
      for (const cluster of clusters) {
        if (cluster.length >= this.config.minSeries) {
          out.push({ type: 'fired', incident: this.open(cluster, now) });
          continue;
        }
        for (const i of cluster) {
          if (!isDue(i)) continue;
          this.held.delete(i.id);
          i.alert = 'alone';
          i.firedAt = now;
          delete i.heldAt;
          this.changed(i);
          out.push({ type: 'fired', incident: i });
        }
      }
    }
    return out;
  }

  private open(cluster: Incident[], now: number): Incident {
    const first = cluster[0]!;
    const metric = groupMetric(first);
    const id = incidentId(first.source, `*/${metric}`, first.startedAt);
    const group: Incident = {
      id,
      kind: first.kind,
      source: first.source,
      key: '*',
      keyFields: {},
      severity: highestSeverity(cluster.map((i) => i.severity)),
      startedAt: first.startedAt,
      firedAt: now,
      evidence: [],
      members: { metric, open: 0, total: 0, worst: [], lastStart: first.startedAt },
    };
    this.groups.set(id, group);
    this.latest.set(groupKey(first.source, metric), id);
    this.join(group, cluster);
    return group;
  }

  private join(group: Incident, members: Incident[]): void {
    const info = group.members!;
    const candidates: MemberSummary[] = [...info.worst];
    for (const member of members) {
      this.held.delete(member.id);
      member.alert = 'member';
      member.group = group.id;
      delete member.heldAt;
      this.changed(member);
      info.open++;
      info.total++;
      info.lastStart = Math.max(info.lastStart, member.startedAt);
      const evidence = member.evidence.find((e) => e.metric === info.metric) ?? member.evidence[0];
      if (evidence) candidates.push({ key: member.key, evidence: copyEvidence(evidence) });
    }
    candidates.sort((a, b) => worseFirst(a.evidence, b.evidence) || a.key.localeCompare(b.key));
    info.worst = candidates.slice(0, this.config.worst);
    group.evidence = info.worst[0] ? [copyEvidence(info.worst[0].evidence)] : [];
    this.dirty.set(group.id, group.source);
  }

  /** Open group incidents. */
  openGroups(): Incident[] {
    return [...this.groups.values()];
  }

  /** The state records of every group changed since the last call (null: resolved, a tombstone). */
  takeDirty(): GroupChange[] {
    const out: GroupChange[] = [];
    for (const [id, source] of this.dirty) out.push({ id, source, value: this.groups.get(id) ?? null });
    this.dirty.clear();
    return out;
  }

  /** Takes a group's state record back (restore at start). */
  load(group: Incident): void {
    if (!group.members) return;
    this.groups.set(group.id, group);
    const gk = groupKey(group.source, group.members.metric);
    const current = this.latest.get(gk);
    if (current === undefined || (this.groups.get(current)?.members?.lastStart ?? -Infinity) < group.members.lastStart)
      this.latest.set(gk, group.id);
  }

  /** A tombstone read at restore: the group had resolved. */
  unload(id: string): void {
    const group = this.groups.get(id);
    if (!group?.members) return;
    this.groups.delete(id);
    const gk = groupKey(group.source, group.members.metric);
    if (this.latest.get(gk) === id) this.latest.delete(gk);
  }

  /**
   * After a restore: each group's open count from its members, held incidents held again (from `now`),
   * members of a group that is gone alerted alone; a group with no member left resolves.
   */
  reconcile(open: Incident[], now: number): IncidentEvent[] {
    const counts = new Map<string, number>();
    const out: IncidentEvent[] = [];
    for (const incident of open) {
      if (incident.alert === 'held') {
        incident.heldAt = now;
        this.held.set(incident.id, incident);
      } else if (incident.alert === 'member') {
        if (incident.group !== undefined && this.groups.has(incident.group))
          counts.set(incident.group, (counts.get(incident.group) ?? 0) + 1);
        else {
          incident.alert = 'held';
          incident.heldAt = now;
          delete incident.group;
          this.held.set(incident.id, incident);
          this.changed(incident);
        }
      }
    }
    for (const group of [...this.groups.values()]) {
      const n = counts.get(group.id) ?? 0;
      if (group.members!.open !== n) {
        group.members!.open = n;
        this.dirty.set(group.id, group.source);
      }
      if (n === 0) out.push(this.close(group, now));
    }
    return out;
  }

  /** Resolves the groups `orphaned` picks (the spec no longer watches them), resolved at `now`. */
  resolveWhere(orphaned: (group: Incident) => boolean, now: number): IncidentEvent[] {
    const out: IncidentEvent[] = [];
    for (const group of [...this.groups.values()]) if (orphaned(group)) out.push(this.close(group, now));
    return out;
  }
}
