/**
 * @grey/observability: one config file, one call. Named exports only, listed one by one.
 * Importing this module starts nothing; initObservability() does.
 */
export { getObservability, initObservability, type InitOptions, type ObservabilityHandle } from './init.js';
export type { TracingExtensions } from './tracing/extensions.js';

export {
  loadConfig,
  type ConfigWarning,
  type LoadConfigOptions,
  type ResolvedConfig,
  type ValueSource,
} from './config/load.js';
export type {
  ConfigOverrides,
  ConfigSource,
  ExporterProtocol,
  LogLevel,
  MetricsAuthType,
  ObservabilityConfig,
  PropagatorName,
  SamplingStrategy,
  TenantOverflowMode,
} from './config/types.js';

export { ErrorCodes, ObservabilityError, isObservabilityError, type ErrorCode } from './errors.js';

export {
  METRIC_CATALOG,
  TENANT_NONE,
  TENANT_OTHER,
  shareMetricsWithClusterPrimary,
  startClusterMetricsServer,
  type CounterHelper,
  type CustomMetricOptions,
  type GaugeHelper,
  type HistogramHelper,
  type MetricDefinition,
  type MetricLabels,
  type Metrics,
  type SummaryHelper,
} from './metrics/index.js';
export {
  observePostgresPool,
  postgresOperation,
  type PostgresPoolLike,
  type PostgresPoolObserver,
  type PostgresPoolOptions,
} from './metrics/postgres-pool.js';

// Imported from their own modules, not tracing/index.ts: the SDK loads only when tracing starts.
export { extractContext, injectContext, type HeaderCarrier } from './tracing/propagation.js';
export { SpanAttributes, SpanNames, type SpanAttributeName, type SpanName } from './tracing/span-names.js';
export { TENANT_BAGGAGE_KEY, currentTenant, withTenant } from './tracing/tenant.js';

export { Instrument, Task, type InstrumentOptions, type TaskOptions } from './decorators/index.js';
