/**
 * The whole metric catalog: the metrics part's entries (the spec's "Exposed Metrics" and the
 * metrics part's own self-metrics, src/metrics/catalog.ts) followed by tracing's self-metrics
 * (src/tracing/export-metrics.ts). Each part defines and registers its own; this list is what
 * dashboards, rules, docs and `METRIC_CATALOG` users read. It imports both parts' data only.
 */
import { METRICS_PART_CATALOG, type MetricDefinition } from './metrics/catalog.js';
import { SPAN_EXPORT_METRICS } from './tracing/export-metrics.js';

/** Every metric the package registers, in exposition order. */
export const METRIC_CATALOG: readonly MetricDefinition[] = [...METRICS_PART_CATALOG, ...SPAN_EXPORT_METRICS];
