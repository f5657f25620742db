import type { Metric } from 'prom-client';
import { seriesHooks } from './series-hooks.js';
import { TENANT_LABEL, type LabelRecord } from '../tenancy/tenant-labels.js';

/** Most label sets one metric remembers; past it, the metric creates no more series at 0 (until reset). */
export const MAX_KNOWN_SERIES = 10_000;

/** How one metric takes part in creating series at 0. */
export interface ZeroSeriesOptions {
  /** Label names as registered on prom-client (without `tenant` when `include_tenant_labels` is false). */
  readonly labelNames: readonly string[];
  /** Labels of which every listed value gets a series, e.g. `{ result: ['success', 'failure'] }`. */
  readonly values: Readonly<Record<string, readonly string[]>>;
  /** Creates one series at 0 (a counter: `inc(labels, 0)`; a histogram: `zero(labels)`). */
  create(labels: LabelRecord): void;
  /**
   * The tenant value this metric records for a tenant another metric of its group recorded, when
   * it can take it without folding it (see TenantGuard.admitQuietly); undefined: no series is
   * created. Absent: taken as it is.
   */
  admitTenant?(tenant: string): string | undefined;
}

/**
 * Series created at 0 before their first increment. A series that appears with its first
 * increment hides that increment from `rate()` and `increase()`: Prometheus has no sample before
 * it, so 20 failures between two scrapes read as none, and a success rate divided over such series
 * reads 1 or NaN (Prometheus, "Instrumentation: avoid missing metrics"). So when a label set is
 * first recorded on one metric, every sibling series exists at 0 from then on:
 *
 * - the other values of the metric's enumerated labels (`values`): `{platform="sgx",result="success"}`
 *   brings `{platform="sgx",result="failure"}`;
 * - the same labels on the other metrics of its group ({@link linkZeroSeries}), where that metric's
 *   labels can be taken from them: a tenant and type first submitted has its completed and failed
 *   series, and its task duration series of each outcome.
 *
 * A sibling is created only when this metric never had that series (created, recorded through its
 * helper, or flushed from pending sums) since its last reset, and a removed series is created again
 * only once its label set is recorded again. Hot path: one Set lookup per measurement. Memory is
 * bounded: at most {@link MAX_KNOWN_SERIES} label sets per metric; past it no more series are
 * created at 0. A series recorded only through the helper's `metric` (prom-client itself) is not
 * seen: a histogram sibling created later is then reset to 0 by prom-client's `zero()`.
 */
export class ZeroSeries {
  private readonly known: LabelSetIndex;
  private saturated = false;
  private group: readonly ZeroSeries[] = [this];

  constructor(
    readonly metric: Metric<string>,
    private readonly options: ZeroSeriesOptions,
  ) {
    this.known = new LabelSetIndex(options.labelNames);
    const hooks = seriesHooks(metric);
    hooks.resets.push(() => this.forgetAll());
    hooks.removals.push((labels) => this.known.delete(labels));
  }

  /** `labels` (as prom-client holds them) now has a series on this metric: create its siblings at 0. */
  recorded(labels: LabelRecord): void {
    if (this.known.has(labels) || !this.remember(labels)) return;
    for (const member of this.group) member.createFrom(labels, member === this);
  }

  /** The members of this metric's group, this one included. */
  get members(): readonly ZeroSeries[] {
    return this.group;
  }

  private createFrom(source: LabelRecord, sameMetric: boolean): void {
    const base: LabelRecord = {};
    const enumerated: Array<readonly [string, readonly string[]]> = [];
    for (const name of this.options.labelNames) {
      const values = this.options.values[name];
      if (values !== undefined) {
        enumerated.push([name, values]);
        continue;
      }
      const value = source[name];
      // A label this metric has and the source does not give: nothing to create here.
      if (value === undefined) return;
      if (name === TENANT_LABEL && !sameMetric && this.options.admitTenant !== undefined) {
        const admitted = this.options.admitTenant(String(value));
        if (admitted === undefined) return;
        base[name] = admitted;
      } else {
        base[name] = value;
      }
    }
    for (const labels of expand(base, enumerated)) {
      if (this.known.has(labels)) continue;
      if (!this.remember(labels)) return;
      try {
        this.options.create(labels);
      } catch {
        // A series at 0 is a convenience for rules: never a reason to fail a measurement.
      }
    }
  }

  private remember(labels: LabelRecord): boolean {
    if (this.saturated) return false;
    if (this.known.size >= MAX_KNOWN_SERIES) {
      this.saturated = true;
      return false;
    }
    this.known.add(labels);
    return true;
  }

  private forgetAll(): void {
    this.known.clear();
    this.saturated = false;
  }

  /** Makes `members` the group of this metric (see linkZeroSeries). */
  joinGroup(members: readonly ZeroSeries[]): void {
    this.group = members;
  }
}

/**
 * Makes `members` one group: a label set first recorded on one of them creates its series at 0 on
 * each of them, and reading any of them first hands every member's pending sums to prom-client, so
 * that a scrape, which reads the metrics one by one, sees every sibling a pending sum brought.
 */
export function linkZeroSeries(members: readonly ZeroSeries[]): void {
  for (const member of members) {
    member.joinGroup(members);
    const others = members.filter((other) => other !== member).map((other) => seriesHooks(other.metric));
    seriesHooks(member.metric).readers.push(() => {
      for (const hooks of others) hooks.flush();
    });
  }
}

/** The value of an absent label in {@link LabelSetIndex} (prom-client leaves the label out). */
const ABSENT = '\u0000absent';

type IndexNode = Map<string, IndexNode> | Set<string>;

/**
 * Label sets of one metric as nested maps keyed by each label's value, in the metric's label
 * order: a lookup is one map lookup per label on strings the caller already has (no key string
 * built per measurement, which cost more than the rest of a counter increment).
 */
class LabelSetIndex {
  private root: IndexNode;
  private count = 0;
  private readonly last: number;

  constructor(private readonly names: readonly string[]) {
    this.last = names.length - 1;
    this.root = this.last <= 0 ? new Set() : new Map();
  }

  get size(): number {
    return this.count;
  }

  has(labels: LabelRecord): boolean {
    return this.leaf(labels, false)?.has(this.valueAt(labels, this.last)) === true;
  }

  add(labels: LabelRecord): void {
    const leaf = this.leaf(labels, true) as Set<string>;
    const value = this.valueAt(labels, this.last);
    if (leaf.has(value)) return;
    leaf.add(value);
    this.count++;
  }

  delete(labels: LabelRecord): void {
    if (this.leaf(labels, false)?.delete(this.valueAt(labels, this.last)) === true) this.count--;
  }

  clear(): void {
    this.root = this.last <= 0 ? new Set() : new Map();
    this.count = 0;
  }

  /** The set holding the last label's values for `labels`' other values (made when `create`). */
  private leaf(labels: LabelRecord, create: boolean): Set<string> | undefined {
    let node = this.root;
    for (let i = 0; i < this.last; i++) {
      const value = this.valueAt(labels, i);
      let next = (node as Map<string, IndexNode>).get(value);
      if (next === undefined) {
        if (!create) return undefined;
        next = i === this.last - 1 ? new Set<string>() : new Map<string, IndexNode>();
        (node as Map<string, IndexNode>).set(value, next);
      }
      node = next;
    }
    return node as Set<string>;
  }

  private valueAt(labels: LabelRecord, index: number): string {
    if (index < 0) return '';
    const value = labels[this.names[index] as string];
    return typeof value === 'string' ? value : value === undefined ? ABSENT : String(value);
  }
}

/** Every combination of `base` with one value of each enumerated label. */
function expand(base: LabelRecord, enumerated: ReadonlyArray<readonly [string, readonly string[]]>): LabelRecord[] {
  let out: LabelRecord[] = [base];
  for (const [name, values] of enumerated) {
    out = out.flatMap((labels) => values.map((value) => ({ ...labels, [name]: value })));
  }
  return out;
}
