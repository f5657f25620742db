import { Counter, Gauge, Histogram, Summary, type Registry } from 'prom-client';
import { ObservabilityError } from '../errors.js';
import type { ClusterAggregator, MetricType } from './catalog.js';
import {
  CounterHelper,
  GaugeHelper,
  HistogramHelper,
  SummaryHelper,
  type MeasurementErrorSink,
  type MetricHelper,
} from './instruments.js';
import { TENANT_LABEL, TenantLabeler } from './tenant-labels.js';
import type { TenantGuard } from './tenant-guard.js';

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
}

/** What building a metric needs from its Metrics instance. */
export interface MetricFactoryContext {
  registry: Registry;
  includeTenantLabels: boolean;
  guardFor(metric: string): TenantGuard;
  onError: MeasurementErrorSink;
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

/** Creates the prom-client metric on the registry and the helper that records into it. */
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
  switch (definition.type) {
    case 'counter':
      return new CounterHelper(definition.name, new Counter(common), labeler, context.onError);
    case 'gauge':
      return new GaugeHelper(definition.name, new Gauge(common), labeler, context.onError);
    case 'histogram':
      return new HistogramHelper(
        definition.name,
        new Histogram({ ...common, buckets: [...(definition.buckets ?? [])], enableExemplars: definition.exemplars }),
        labeler,
        context.onError,
        definition.exemplars,
      );
    case 'summary':
      return new SummaryHelper(
        definition.name,
        new Summary({
          ...common,
          percentiles: [...(definition.percentiles ?? [])],
          ...(definition.maxAgeSeconds === undefined
            ? {}
            : { maxAgeSeconds: definition.maxAgeSeconds, ageBuckets: definition.ageBuckets ?? 5 }),
        }),
        labeler,
        context.onError,
      );
  }
}
