import type { Counter, Gauge } from 'prom-client';
import type { LabelRecord } from './tenant-labels.js';

/**
 * A running sum for one series of a counter or gauge, added to on the hot path and handed to
 * prom-client when the metric is read (see {@link PendingSeriesSet}). `add` is one number
 * addition: no label hashing, no label validation, no lookup.
 */
export class PendingSeries {
  /**
   * What was added since the metric was last read. After the metric's reset() it is -0 until the
   * next add (-0 plus any number, 0 included, is never -0), so that a series nothing was added to
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
 * The pending series of one prom-client counter or gauge. Installs itself as the metric's
 * `collect` hook (keeping any hook it had), so every read — a scrape, `registry.metrics()`,
 * `metric.get()` — first adds each series' sum with one `inc(labels, delta)`: what a reader sees
 * is exactly what was recorded, as when every call went to prom-client. `reset()` of the metric
 * also drops what is pending (a series then reappears only once added to again). A failing `inc` (labels the metric does not have) is reported to
 * `onError` and the sum is dropped.
 *
 * Series are keyed by their label values, so asking again for the same labels gives the same
 * series, and the set is bounded (at most 10,000 series; beyond, callers record directly).
 */
export class PendingSeriesSet {
  private readonly series = new Map<string, PendingSeries>();

  constructor(
    private readonly metric: Counter<string> | Gauge<string>,
    private readonly onError: (error: unknown) => void,
  ) {
    const hooks = metric as unknown as { collect?: () => unknown; reset: () => void };
    const previousCollect = hooks.collect;
    hooks.collect = function collectPending(this: unknown): unknown {
      flush();
      return previousCollect?.call(this);
    };
    const reset = hooks.reset;
    hooks.reset = function resetWithPending(this: unknown): void {
      clear();
      reset.call(this);
    };
    const flush = (): void => this.flush();
    const clear = (): void => this.clear();
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
      series.delta = 0;
      series.flushed = true;
      try {
        this.metric.inc(series.labels, delta);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  /** The metric was reset: its series are gone from prom-client until something is added again. */
  private clear(): void {
    for (const series of this.series.values()) {
      series.delta = -0;
      series.flushed = false;
    }
  }
}

/** The label values in name order, NUL-separated: one key per series. */
function seriesKey(labels: LabelRecord): string {
  let key = '';
  for (const name of Object.keys(labels).sort()) key += `${name}\u0000${String(labels[name])}\u0001`;
  return key;
}
