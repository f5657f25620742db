/**
 * The metrics part: the package's own prom-client registry with the spec's catalog as typed
 * helpers, the tenant guard, the Prometheus endpoint and node:cluster aggregation.
 */
export { createMetrics, type CustomMetricOptions, type Metrics } from './metrics.js';
export { startMetricsServer, type MetricsServer } from './server.js';
export { shareMetricsWithClusterPrimary, startClusterMetricsServer } from './cluster.js';
export {
  METRIC_CATALOG,
  findMetricDefinition,
  type BucketSource,
  type ClusterAggregator,
  type MetricDefinition,
  type MetricType,
} from './catalog.js';
export {
  CounterHelper,
  GaugeHelper,
  HistogramHelper,
  SummaryHelper,
  type MetricHelper,
  type MetricLabels,
  type StopTimer,
} from './instruments.js';
export { TENANT_NONE, TENANT_OTHER, TenantGuard, type TenantGuardSettings } from './tenant-guard.js';
export { TENANT_LABEL, type LabelValue } from './tenant-labels.js';
export { fnv1a64Hex, jumpConsistentHash, tenantBucketLabel } from './tenant-hash.js';
export { CONTENT_TYPES, negotiateFormat, type ExpositionFormat } from './exposition.js';
export { DROPPED_DEFAULT_METRICS } from './default-metrics.js';
export { activeTraceExemplar, type TraceExemplar } from './exemplars.js';
