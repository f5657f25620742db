import { Counter, Gauge, Histogram, Summary, type Registry } from 'prom-client';
import { ObservabilityError } from '../errors.js';
import type { ClusterAggregator, MetricType } from './catalog.js';
import {
  CounterHelper,
  GaugeHelper,
  HistogramHelper,
  SummaryHelper,
  type MetricHelperParts,
  type MeasurementErrorSink,
  type MetricHelper,
} from './instruments.js';
import { seriesHooks } from './series-hooks.js';
import { reportUnobservedQuantilesAsNaN } from './summary-quantiles.js';
import { TENANT_LABEL, TenantLabeler } from '../tenancy/tenant-labels.js';
import type { TenantGuard } from '../tenancy/tenant-guard.js';
import { ZeroSeries } from './zero-series.js';

/** A metric definition with every option resolved to a value. */
export interface ResolvedMetricDefinition {
  name: string;
  type: MetricType;
  help: string;
  /** Declared labels, `tenant` included when the metric is tenant-aware. */
  labels: readonly string[];
  buckets?: readonly number[];
  percentiles?: readonly number[];
  maxAgeSeconds?: number;
  ageBuckets?: number;
  exemplars: boolean;
  aggregator: ClusterAggregator;
  /** Catalog only: series created at 0 beside those recorded (MetricDefinition.zeroSeries). */
  zeroSeries?: { readonly values?: Readonly<Record<string, readonly string[]>>; readonly group?: string };
  /** Catalog only: values of labels the caller may leave out. */
  labelDefaults?: Readonly<Record<string, string>>;
}

/** What building a metric needs from its Metrics instance. */
export interface MetricFactoryContext {
  registry: Registry;
  includeTenantLabels: boolean;
  guardFor(metric: string): TenantGuard;
  onError: MeasurementErrorSink;
  /** Receives the series-at-0 part of a metric whose definition names a group (linked by the caller). */
  joinZeroGroup?(group: string, member: ZeroSeries): void;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Checks a definition (name, labels, buckets, quantiles) and throws `OBS_ERR_METRIC_INVALID`
 * naming what is wrong. Counters must end in `_total` so that both exposition formats and
 * promtool agree on their name.
 */
export function validateDefinition(definition: ResolvedMetricDefinition): void {
  const { name, type, labels } = definition;
  const invalid = (what: string, value: unknown, expected: string): never => {
    throw new ObservabilityError('OBS_ERR_METRIC_INVALID', `metric ${JSON.stringify(name)}: invalid ${what}`, {
      key: `${name}.${what}`,
      value,
      expected,
    });
  };
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    invalid('name', name, 'a Prometheus metric name matching [a-zA-Z_:][a-zA-Z0-9_:]*');
  }
  if (typeof definition.help !== 'string' || definition.help.trim() === '') {
    invalid('help', definition.help, 'a non-empty help text');
  }
  if (type === 'counter' && !name.endsWith('_total')) {
    invalid('name', name, 'a counter name ending in _total (Prometheus naming; promtool flags others)');
  }
  if (type !== 'counter' && /_(total|bucket|count|sum|created)$/.test(name)) {
    invalid('name', name, `a ${type} name without a reserved suffix (_total, _bucket, _count, _sum, _created)`);
  }
  const reserved = type === 'histogram' ? ['le'] : type === 'summary' ? ['quantile'] : [];
  const seen = new Set<string>();
  for (const label of labels) {
    if (typeof label !== 'string' || !LABEL_NAME.test(label) || label.startsWith('__') || reserved.includes(label)) {
      invalid(
        'labels',
        labels,
        `label names matching [a-zA-Z_][a-zA-Z0-9_]*, not starting with __, not ${reserved.join(', ') || 'reserved'}`,
      );
    }
    if (seen.has(label)) invalid('labels', labels, 'each label name once');
    seen.add(label);
  }
  if (type === 'histogram') {
    const buckets = definition.buckets ?? [];
    const increasing = buckets.every((b, i) => Number.isFinite(b) && (i === 0 || b > (buckets[i - 1] as number)));
    if (buckets.length === 0 || !increasing)
      invalid('buckets', buckets, 'a non-empty list of finite, strictly increasing bounds');
  }
  if (type === 'summary') {
    const percentiles = definition.percentiles ?? [];
    if (percentiles.length === 0 || !percentiles.every((q) => Number.isFinite(q) && q > 0 && q < 1)) {
      invalid('percentiles', percentiles, 'a non-empty list of quantiles between 0 and 1 (exclusive)');
    }
  }
}

/**
 * Creates the prom-client metric on the registry and the helper that records into it. A gauge
 * without labels is absent until it is first set (prom-client would show 0 from the start, and
 * after every reset: a value nobody measured, which dashboards would average in); a summary
 * reports NaN quantiles while its window holds no observation (prom-client reports 0).
 */
export function buildMetric(definition: ResolvedMetricDefinition, context: MetricFactoryContext): MetricHelper {
  const tenantAware = definition.labels.includes(TENANT_LABEL);
  const labelNames =
    tenantAware && !context.includeTenantLabels
      ? definition.labels.filter((label) => label !== TENANT_LABEL)
      : [...definition.labels];
  const labeler = !tenantAware
    ? TenantLabeler.plain()
    : context.includeTenantLabels
      ? TenantLabeler.guarded(context.guardFor(definition.name))
      : TenantLabeler.stripped();
  const common = {
    name: definition.name,
    help: definition.help,
    labelNames,
    registers: [context.registry],
    aggregator: definition.aggregator,
  };
  const parts = (metric: Counter<string> | Histogram<string>): MetricHelperParts => ({
    labeler,
    onError: context.onError,
    defaults: definition.labelDefaults,
    zero: zeroSeriesOf(definition, metric, labelNames, labeler, context),
  });
  switch (definition.type) {
    case 'counter': {
      const counter = new Counter(common);
      return new CounterHelper(definition.name, counter, parts(counter));
    }
    case 'gauge': {
      const gauge = new Gauge(common);
      if (labelNames.length === 0) keepUnsetUntilSet(gauge);
      return new GaugeHelper(definition.name, gauge, { labeler, onError: context.onError });
    }
    case 'histogram': {
      const histogram = new Histogram({
        ...common,
        buckets: [...(definition.buckets ?? [])],
        enableExemplars: definition.exemplars,
      });
      return new HistogramHelper(definition.name, histogram, parts(histogram), definition.exemplars);
    }
    case 'summary': {
      const summary = new Summary({
        ...common,
        percentiles: [...(definition.percentiles ?? [])],
        ...(definition.maxAgeSeconds === undefined
          ? {}
          : { maxAgeSeconds: definition.maxAgeSeconds, ageBuckets: definition.ageBuckets ?? 5 }),
      });
      reportUnobservedQuantilesAsNaN(summary, definition.maxAgeSeconds);
      return new SummaryHelper(definition.name, summary, { labeler, onError: context.onError });
    }
  }
}

/** prom-client gives a gauge without labels a series at 0 on creation and on reset(); drop it. */
function keepUnsetUntilSet(gauge: Gauge<string>): void {
  gauge.remove();
  seriesHooks(gauge).resets.push(() => gauge.remove());
}

/** The series created at 0 beside those recorded, for a metric whose definition asks for them. */
function zeroSeriesOf(
  definition: ResolvedMetricDefinition,
  metric: Counter<string> | Histogram<string>,
  labelNames: readonly string[],
  labeler: TenantLabeler,
  context: MetricFactoryContext,
): ZeroSeries | undefined {
  if (definition.zeroSeries === undefined) return undefined;
  const values = Object.fromEntries(
    Object.entries(definition.zeroSeries.values ?? {}).filter(([label]) => labelNames.includes(label)),
  );
  const zero = new ZeroSeries(metric, {
    labelNames,
    values,
    create:
      metric instanceof Histogram
        ? (labels) => metric.zero(labels)
        : (labels) => (metric as Counter<string>).inc(labels, 0),
    admitTenant: (tenant) => labeler.admitQuietly(tenant),
  });
  if (definition.zeroSeries.group !== undefined) context.joinZeroGroup?.(definition.zeroSeries.group, zero);
  return zero;
}
