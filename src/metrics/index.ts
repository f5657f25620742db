/**
 * The metrics part: the package's own prom-client registry with the spec's catalog as typed
 * helpers, the tenant guard, the Prometheus endpoint and node:cluster aggregation.
 */
export { createMetrics, type CustomMetricOptions, type Metrics } from './metrics.js';
export { startMetricsServer, type MetricsServer } from './server.js';
export { shareMetricsWithClusterPrimary, startClusterMetricsServer } from './cluster.js';
export { type BucketSource, type ClusterAggregator, type MetricDefinition, type MetricType } from './catalog.js';
export {
  CounterHelper,
  GaugeHelper,
  HistogramHelper,
  SummaryHelper,
  type BaseMetricHelper,
  type ObservingMetricHelper,
  type SummingMetricHelper,
  type MetricHelper,
  type MetricLabels,
  type StopTimer,
} from './instruments.js';
export { TENANT_NONE, TENANT_OTHER, TenantGuard, type TenantGuardSettings } from '../tenancy/tenant-guard.js';
export type { LabelRecord, LabelValue } from '../tenancy/tenant-labels.js';
export type { ExpositionFormat } from './exposition.js';
