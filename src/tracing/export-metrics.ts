/**
 * Tracing's own self-metrics: the `grey_observability_spans_*` counters, defined here (names, help,
 * labels, reasons) and registered by tracing's owner on the package's registry. They read
 * {@link ObservabilityHealth}, the one shape `health()` returns. The full catalog
 * (src/metric-catalog.ts) lists them after the metrics part's own entries.
 */
import { Counter, type Registry } from 'prom-client';
import type { MetricDefinition } from '../metrics/catalog.js';
import {
  BUFFER_DROP_REASONS,
  EXPORT_FAILURE_REASONS,
  type ExportFailureReason,
  type ObservabilityHealth,
} from './export-health.js';

/**
 * `grey_observability_spans_exported_total`: spans the collector acknowledged.
 */
const SPANS_EXPORTED: MetricDefinition = {
  name: 'grey_observability_spans_exported_total',
  type: 'counter',
  group: 'observability',
  help: 'Spans the OTLP collector acknowledged.',
  labels: [],
  tenantAware: false,
  exemplars: false,
  aggregator: 'sum',
};

/**
 * `grey_observability_spans_failed_total{reason}`: spans lost because their OTLP export failed;
 * `reason` is one of `EXPORT_FAILURE_REASONS` (src/tracing/export-health.ts).
 */
const SPANS_FAILED: MetricDefinition = {
  name: 'grey_observability_spans_failed_total',
  type: 'counter',
  group: 'observability',
  help: `Spans lost because their OTLP export failed, by reason (${EXPORT_FAILURE_REASONS.join(', ')}).`,
  labels: ['reason'],
  labelValues: { reason: EXPORT_FAILURE_REASONS },
  tenantAware: false,
  exemplars: false,
  aggregator: 'sum',
};

/**
 * `grey_observability_spans_dropped_total{reason}`: finished spans lost before any export;
 * `reason` is one of `BUFFER_DROP_REASONS` (src/tracing/export-health.ts).
 */
const SPANS_DROPPED: MetricDefinition = {
  name: 'grey_observability_spans_dropped_total',
  type: 'counter',
  group: 'observability',
  help: `Finished spans dropped before export because a bounded buffer was full, by reason (${BUFFER_DROP_REASONS.join(', ')}).`,
  labels: ['reason'],
  labelValues: { reason: BUFFER_DROP_REASONS },
  tenantAware: false,
  exemplars: false,
  aggregator: 'sum',
};

/** Tracing's self-metrics, in exposition order. */
export const SPAN_EXPORT_METRICS: readonly MetricDefinition[] = [SPANS_EXPORTED, SPANS_FAILED, SPANS_DROPPED];

/** prom-client options of a definition: name, help, labels and cluster aggregator. */
function optionsOf(definition: MetricDefinition, registry: Registry) {
  return {
    name: definition.name,
    help: definition.help,
    labelNames: [...definition.labels],
    aggregator: definition.aggregator,
    registers: [registry],
  };
}

/**
 * Registers {@link SPAN_EXPORT_METRICS} on `registry`, read from `health` at each scrape (the
 * export path counts in plain numbers; prom-client is only touched when Prometheus asks, and a
 * counter read from a running total is reset and set to that total at each collection). Every
 * reason is exposed from the start, at 0, so that an alert such as
 * `rate(grey_observability_spans_failed_total[5m]) > 0` has a series to work on before the first
 * loss. A `health` that throws reads as all zero: a scrape never fails because of tracing.
 * Throws prom-client's error when one of the names is already on `registry`.
 */
export function registerSpanExportMetrics(registry: Registry, health: () => ObservabilityHealth): void {
  const read = (): ObservabilityHealth['spans'] | undefined => {
    try {
      return health().spans;
    } catch {
      return undefined;
    }
  };
  new Counter({
    ...optionsOf(SPANS_EXPORTED, registry),
    collect() {
      const now = read();
      this.reset();
      this.inc(now?.exported ?? 0);
    },
  });
  new Counter({
    ...optionsOf(SPANS_FAILED, registry),
    collect() {
      const now = read();
      this.reset();
      for (const reason of EXPORT_FAILURE_REASONS)
        this.inc({ reason }, now?.failed[reason as ExportFailureReason] ?? 0);
    },
  });
  new Counter({
    ...optionsOf(SPANS_DROPPED, registry),
    collect() {
      const now = read();
      this.reset();
      for (const reason of BUFFER_DROP_REASONS) this.inc({ reason }, now?.dropped[reason] ?? 0);
    },
  });
}
