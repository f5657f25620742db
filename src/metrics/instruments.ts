import type { Counter, Gauge, Histogram, Summary } from 'prom-client';
import { activeTraceExemplar } from './exemplars.js';
import { PendingSeriesSet, type PendingSeries } from './pending-series.js';
import type { LabelRecord, LabelValue, TenantLabeler } from '../tenancy/tenant-labels.js';
import type { ZeroSeries } from './zero-series.js';

/**
 * Labels of a helper with label names `L` and labels with a default `O`: every label of `L` except
 * `tenant` is required; `tenant` is optional (baggage `grey.tenant_id` is used when it is absent),
 * and so is each label of `O` (its default is used, e.g. `outcome: 'completed'`).
 */
export type MetricLabels<L extends string, O extends string = never> = {
  [K in Exclude<L, 'tenant' | O>]: LabelValue;
} & ('tenant' extends L ? { tenant?: string } : unknown) & { [K in O]?: LabelValue };

/** Receives measurements that prom-client rejected, so they are counted instead of thrown. */
export interface MeasurementErrorSink {
  (metric: string, error: unknown): void;
}

const NO_EXEMPLAR: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** What a helper is built with besides its metric (see metric-factory.ts). */
export interface MetricHelperParts {
  labeler: TenantLabeler;
  onError: MeasurementErrorSink;
  /** Values of labels the caller may leave out, e.g. `{ outcome: 'completed' }`. */
  defaults?: Readonly<LabelRecord>;
  /** The series this metric creates at 0 beside the ones recorded (zero-series.ts). */
  zero?: ZeroSeries;
}

export abstract class BaseMetricHelper<L extends string, O extends string = never> {
  /** Metric name as exposed. */
  readonly name: string;
  /** The underlying prom-client metric (escape hatch; bypasses the tenant guard). */
  abstract readonly metric: Counter<string> | Gauge<string> | Histogram<string> | Summary<string>;
  /** @internal */
  protected readonly labeler: TenantLabeler;
  /** @internal */
  protected readonly onError: MeasurementErrorSink;
  /** @internal */
  protected readonly zero: ZeroSeries | undefined;
  private readonly defaults: ReadonlyArray<readonly [string, LabelValue]> | undefined;

  /** @internal Helpers are made by the package (Metrics, createMetrics). */
  protected constructor(name: string, parts: MetricHelperParts) {
    this.name = name;
    this.labeler = parts.labeler;
    this.onError = parts.onError;
    this.defaults = parts.defaults === undefined ? undefined : Object.entries(parts.defaults);
    this.zero = parts.zero;
  }

  /**
   * @internal The labels this helper records for `labels`, when they may be kept and passed to
   * the `*Stable` methods for every later measurement (TenantLabeler.stable); else undefined.
   * Never throws.
   */
  stableLabels(labels: MetricLabels<L, O>): LabelRecord | undefined {
    try {
      const stable = this.labeler.stable(labels as LabelRecord);
      return stable === undefined ? undefined : this.withDefaults(stable);
    } catch {
      return undefined;
    }
  }

  /**
   * Removes the series of `labels` (the tenant as given, else from baggage, else `__none__`; labels
   * with a default may be left out), pending sums included: it is gone from the endpoint and
   * `getMetricsAsJSON()` until it is recorded again. Nothing is admitted by the tenant guard. Never
   * throws (labels the metric does not have are counted as a rejected measurement).
   */
  remove(labels?: MetricLabels<L, O>): void {
    try {
      this.metric.remove(this.withDefaults(this.labeler.lookup(labels as LabelRecord | undefined)));
    } catch (error) {
      this.onError(this.name, error);
    }
  }

  /** Removes every series of this metric, pending sums included (prom-client's `reset()`). */
  reset(): void {
    try {
      this.metric.reset();
    } catch (error) {
      this.onError(this.name, error);
    }
  }

  /** @internal */
  protected labelsOf(labelsOrValue: MetricLabels<L, O> | number | undefined): LabelRecord {
    return this.withDefaults(
      this.labeler.apply(typeof labelsOrValue === 'object' ? (labelsOrValue as LabelRecord) : undefined),
    );
  }

  private withDefaults(labels: LabelRecord): LabelRecord {
    const defaults = this.defaults;
    if (defaults === undefined) return labels;
    let missing = false;
    for (const [name] of defaults) {
      const given = labels[name];
      if (given === undefined || given === '') missing = true;
    }
    if (!missing) return labels;
    // A fresh object built key by key: `labels` may be the caller's.
    const out: LabelRecord = {};
    for (const name in labels) out[name] = labels[name] as LabelValue;
    for (const [name, value] of defaults) {
      const given = out[name];
      if (given === undefined || given === '') out[name] = value;
    }
    return out;
  }
}

/** What a measurement must be: `finite` for gauges and observations, `non-negative` for counter increments. */
type ValueRule = 'finite' | 'non-negative';

/**
 * The measurement of a helper call, checked before prom-client sees it: a finite number (and not
 * negative for a counter increment). prom-client lets NaN through `Counter.inc` and `Gauge.set`,
 * which turns the series into NaN for the life of the process (the fault OpenTelemetry JS fixed
 * in PR #4455); here such a value is dropped and counted like any rejected measurement.
 */
function valueOf(labelsOrValue: unknown, value: unknown, fallback: number | undefined, rule: ValueRule): number {
  const resolved = typeof labelsOrValue === 'number' ? labelsOrValue : value === undefined ? fallback : value;
  // Thrown inside the helpers' try blocks: counted as a rejected measurement, never to the caller.
  if (typeof resolved !== 'number') throw new TypeError(`a numeric value is required, got ${typeof resolved}`);
  if (!Number.isFinite(resolved)) throw new RangeError(`a finite number is required, got ${String(resolved)}`);
  if (rule === 'non-negative' && resolved < 0) {
    throw new RangeError(`a counter only increases: an increment of ${resolved} is not allowed`);
  }
  return resolved;
}

/** What counters and gauges share: a prom-client metric that adds, and its pending series. */
export abstract class SummingMetricHelper<L extends string> extends BaseMetricHelper<L> {
  /** The underlying prom-client metric (escape hatch; bypasses the tenant guard). */
  abstract override readonly metric: Counter<string> | Gauge<string>;
  private pending: PendingSeriesSet | undefined;

  /**
   * @internal The pending series of `stable` (labels from {@link stableLabels}): `add(n)` counts
   * (a counter: n >= 0) or moves the gauge on the hot path, and prom-client gets the sum when the
   * metric is read (pending-series.ts). Undefined when the metric keeps no more pending series
   * (then record with the labelled methods).
   */
  pendingSeries(stable: LabelRecord): PendingSeries | undefined {
    this.pending ??= new PendingSeriesSet(
      this.metric,
      (error) => this.onError(this.name, error),
      (labels) => this.zero?.recorded(labels),
    );
    return this.pending.seriesFor(stable);
  }
}

/**
 * A counter helper. `inc(labels, n)` or, without labels, `inc(n)`. Tenant handling and errors as
 * described on the metrics page: it never throws into the caller.
 */
export class CounterHelper<L extends string = string> extends SummingMetricHelper<L> {
  /** The underlying prom-client counter (escape hatch; bypasses the tenant guard). */
  readonly metric: Counter<string>;

  /** @internal built by createMetrics() */
  constructor(name: string, metric: Counter<string>, parts: MetricHelperParts) {
    super(name, parts);
    this.metric = metric;
  }

  /**
   * Adds `value` (default 1; a finite number ≥ 0, else the call is dropped and counted).
   * `inc(labels, 0)` creates the series at 0, with its siblings (docs/metrics.md, "Series at 0").
   */
  inc(labels?: MetricLabels<L> | number, value?: number): void {
    try {
      const measured = valueOf(labels, value, 1, 'non-negative');
      const recorded = this.labelsOf(labels);
      this.metric.inc(recorded, measured);
      this.zero?.recorded(recorded);
    } catch (error) {
      this.onError(this.name, error);
    }
  }
}

/** A gauge helper: `set`, `inc`, `dec`, each with labels first or a bare value. */
export class GaugeHelper<L extends string = string> extends SummingMetricHelper<L> {
  /** The underlying prom-client gauge (escape hatch; bypasses the tenant guard). */
  readonly metric: Gauge<string>;

  /** @internal built by createMetrics() */
  constructor(name: string, metric: Gauge<string>, parts: MetricHelperParts) {
    super(name, parts);
    this.metric = metric;
  }

  /** Sets the gauge to `value`. */
  set(labels: MetricLabels<L> | number, value?: number): void {
    try {
      const measured = valueOf(labels, value, undefined, 'finite');
      this.metric.set(this.labelsOf(labels), measured);
    } catch (error) {
      this.onError(this.name, error);
    }
  }

  /** Adds `value` (default 1). */
  inc(labels?: MetricLabels<L> | number, value?: number): void {
    try {
      const measured = valueOf(labels, value, 1, 'finite');
      this.metric.inc(this.labelsOf(labels), measured);
    } catch (error) {
      this.onError(this.name, error);
    }
  }

  /** Subtracts `value` (default 1). */
  dec(labels?: MetricLabels<L> | number, value?: number): void {
    try {
      const measured = valueOf(labels, value, 1, 'finite');
      this.metric.dec(this.labelsOf(labels), measured);
    } catch (error) {
      this.onError(this.name, error);
    }
  }
}

/** Ends a timer and records the elapsed seconds, which it also returns. */
export type StopTimer = () => number;

/**
 * What histograms and summaries share: `observe()` and `startTimer()` over one `record()`, so that
 * both resolve labels (and the tenant) the same way and never throw.
 */
export abstract class ObservingMetricHelper<L extends string, O extends string = never> extends BaseMetricHelper<L, O> {
  /** Records one observation. */
  observe(labels: MetricLabels<L, O> | number, value?: number): void {
    try {
      const measured = valueOf(labels, value, undefined, 'finite');
      this.record(this.labelsOf(labels), measured);
    } catch (error) {
      this.onError(this.name, error);
    }
  }

  /** @internal Records `value` (a finite number) in the series of `stable`, labels from {@link stableLabels}. */
  observeStable(stable: LabelRecord, value: number): void {
    try {
      this.record(stable, value);
    } catch (error) {
      this.onError(this.name, error);
    }
  }

  /** Starts a timer; the labels (and tenant) are taken now, the observation when it is stopped. */
  startTimer(labels?: MetricLabels<L, O>): StopTimer {
    let resolved: LabelRecord | undefined;
    try {
      resolved = this.labelsOf(labels);
    } catch (error) {
      this.onError(this.name, error);
    }
    const started = performance.now();
    return () => {
      const seconds = (performance.now() - started) / 1000;
      if (resolved === undefined) return seconds;
      try {
        this.record(resolved, seconds);
      } catch (error) {
        this.onError(this.name, error);
      }
      return seconds;
    };
  }

  /** @internal */
  protected abstract record(labels: LabelRecord, value: number): void;
}

/**
 * A histogram helper. `observe(labels, seconds)` or `observe(seconds)`; inside a sampled span the
 * observation carries the span's trace_id as an OpenMetrics exemplar (when the metric has them).
 */
export class HistogramHelper<L extends string = string, O extends string = never> extends ObservingMetricHelper<L, O> {
  /** The underlying prom-client histogram (escape hatch; bypasses the tenant guard). */
  readonly metric: Histogram<string>;
  private readonly exemplars: boolean;

  /** @internal built by createMetrics() */
  constructor(name: string, metric: Histogram<string>, parts: MetricHelperParts, exemplars: boolean) {
    super(name, parts);
    this.metric = metric;
    this.exemplars = exemplars;
  }

  /** @internal */
  protected record(labels: LabelRecord, value: number): void {
    if (!this.exemplars) {
      this.metric.observe(labels, value);
    } else {
      const exemplar = activeTraceExemplar();
      // With exemplars on, prom-client's observe() takes a single object argument.
      (this.metric.observe as unknown as (data: object) => void)({
        labels,
        value,
        exemplarLabels: exemplar ?? NO_EXEMPLAR,
      });
    }
    this.zero?.recorded(labels);
  }
}

/** A summary helper: `observe(labels, value)` or `observe(value)`. */
export class SummaryHelper<L extends string = string> extends ObservingMetricHelper<L> {
  /** The underlying prom-client summary (escape hatch; bypasses the tenant guard). */
  readonly metric: Summary<string>;

  /** @internal built by createMetrics() */
  constructor(name: string, metric: Summary<string>, parts: MetricHelperParts) {
    super(name, parts);
    this.metric = metric;
  }

  /** @internal */
  protected record(labels: LabelRecord, value: number): void {
    this.metric.observe(labels, value);
  }
}

/** Any helper. */
export type MetricHelper = CounterHelper | GaugeHelper | HistogramHelper | SummaryHelper;
