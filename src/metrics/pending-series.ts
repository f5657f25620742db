import type { Counter, Gauge } from 'prom-client';
import { seriesHooks } from './series-hooks.js';
import type { LabelRecord } from '../tenancy/tenant-labels.js';

/**
 * A running sum for one series of a counter or gauge, added to on the hot path and handed to
 * prom-client when the metric is read (see {@link PendingSeriesSet}). `add` is one number
 * addition: no label hashing, no label validation, no lookup.
 */
export class PendingSeries {
  /**
   * What was added since the metric was last read. After the metric's reset(), or remove() of
   * this series, it is -0 until the next add (-0 plus any number, 0 included, is never -0), so that a series nothing was added to
   * since the reset stays absent, as in prom-client, without a flag to set on the hot path.
   */
  delta = 0;
  /** True once the series was handed to prom-client (it then exists, at 0 if nothing was added). */
  flushed = false;

  constructor(readonly labels: LabelRecord) {}

  /** Adds `value` (a finite number; negative only for a gauge). */
  add(value: number): void {
    this.delta += value;
  }
}

/** Most series one metric keeps pending; past it, `seriesFor` answers undefined (record directly). */
const MAX_PENDING_SERIES = 10_000;

/**
 * The pending series of one prom-client counter or gauge. Registers itself on the metric's
 * {@link seriesHooks}, so every read — a scrape, `registry.metrics()`, `metric.get()` — first adds
 * each series' sum with one `inc(labels, delta)`: what a reader sees is exactly what was recorded,
 * as when every call went to prom-client. `reset()` of the metric drops everything pending and
 * `remove(labels)` what is pending for that series, whoever calls them (the helper, its `metric`,
 * `registry.resetMetrics()`): a series then reappears only once added to again, as in prom-client.
 * A failing `inc` (labels the metric does not have) is reported to `onError` and the sum dropped.
 *
 * Series are keyed by their label values, so asking again for the same labels gives the same
 * series, and the set is bounded (at most 10,000 series; beyond, callers record directly).
 */
export class PendingSeriesSet {
  private readonly series = new Map<string, PendingSeries>();

  /**
   * @param onFlushed called with the labels of a series handed to prom-client for the first time
   *   since it was made, reset or removed (the metric then has the series).
   */
  constructor(
    private readonly metric: Counter<string> | Gauge<string>,
    private readonly onError: (error: unknown) => void,
    private readonly onFlushed: (labels: LabelRecord) => void = () => undefined,
  ) {
    const hooks = seriesHooks(metric);
    hooks.flushers.push(() => this.flush());
    hooks.resets.push(() => this.clear());
    hooks.removals.push((labels) => this.drop(labels));
  }

  /** The pending series of `labels` (labels exactly as prom-client records them), or undefined when full. */
  seriesFor(labels: LabelRecord): PendingSeries | undefined {
    const key = seriesKey(labels);
    let series = this.series.get(key);
    if (series === undefined) {
      if (this.series.size >= MAX_PENDING_SERIES) return undefined;
      series = new PendingSeries(labels);
      this.series.set(key, series);
    }
    return series;
  }

  /** Hands every pending sum to prom-client. Never throws. */
  flush(): void {
    for (const series of this.series.values()) {
      const delta = series.delta;
      if (delta === 0 && (series.flushed || Object.is(delta, -0))) continue;
      const first = !series.flushed;
      series.delta = 0;
      series.flushed = true;
      try {
        this.metric.inc(series.labels, delta);
      } catch (error) {
        this.onError(error);
        continue;
      }
      if (first) this.onFlushed(series.labels);
    }
  }

  /** The metric was reset: its series are gone from prom-client until something is added again. */
  private clear(): void {
    for (const series of this.series.values()) forget(series);
  }

  /** One series was removed from the metric: what is pending for it goes too. */
  private drop(labels: LabelRecord): void {
    const series = this.series.get(seriesKey(labels));
    if (series !== undefined) forget(series);
  }
}

/** Back to "nothing recorded": absent from prom-client until the next add (see {@link PendingSeries.delta}). */
function forget(series: PendingSeries): void {
  series.delta = -0;
  series.flushed = false;
}

/** The label values in name order, NUL-separated: one key per series. */
function seriesKey(labels: LabelRecord): string {
  let key = '';
  for (const name of Object.keys(labels).sort()) key += `${name}\u0000${String(labels[name])}\u0001`;
  return key;
}
