/**
 * @grey/observability: one config file, one call. Named exports only, listed one by one.
 * Importing this module starts nothing; initObservability() does.
 */
export { getObservability, initObservability, type InitOptions, type ObservabilityHandle } from './init.js';
export type { TracingExtensions } from './tracing/extensions.js';
export type { BufferDropReason, ExportFailureReason, ObservabilityHealth } from './tracing/export-health.js';
export { METRIC_CATALOG } from './metric-catalog.js';

export {
  loadConfig,
  type ConfigWarning,
  type LoadConfigOptions,
  type ResolvedConfig,
  type ValueSource,
} from './config/load.js';
export {
  EXPORTER_PROTOCOLS,
  LOG_LEVELS,
  METRICS_AUTH_TYPES,
  PROPAGATORS,
  SAMPLING_STRATEGIES,
  TENANT_OVERFLOW_MODES,
} from './config/schema.js';
export type {
  ConfigOverrides,
  ConfigSource,
  DeepPartial,
  ExporterProtocol,
  LogLevel,
  MetricsAuthType,
  ObservabilityConfig,
  PropagatorName,
  SamplingStrategy,
  TenantOverflowMode,
} from './config/types.js';

export {
  ErrorCodes,
  ObservabilityError,
  isObservabilityError,
  type ErrorCode,
  type ObservabilityErrorDetails,
  type ObservabilityProblem,
} from './errors.js';

export { WarningCodes, type WarningCode } from './warning-codes.js';

export {
  TENANT_NONE,
  TENANT_OTHER,
  shareMetricsWithClusterPrimary,
  startClusterMetricsServer,
  type BaseMetricHelper,
  type BucketSource,
  type ClusterAggregator,
  type CounterHelper,
  type CustomMetricOptions,
  type ExpositionFormat,
  type GaugeHelper,
  type HistogramHelper,
  type LabelRecord,
  type LabelValue,
  type MetricDefinition,
  type MetricHelper,
  type MetricLabels,
  type MetricType,
  type Metrics,
  type MetricsServer,
  type ObservingMetricHelper,
  type StopTimer,
  type SummaryHelper,
  type SummingMetricHelper,
  type TenantGuard,
  type TenantGuardSettings,
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
export { TENANT_BAGGAGE_KEY, currentTenant } from './tenancy/tenant-context.js';
export { withTenant } from './tenancy/with-tenant.js';

export {
  Instrument,
  Task,
  type AnyMethod,
  type ErrorClass,
  type ExpectedErrors,
  type InstrumentOptions,
  type MethodDecorator,
  type MethodOrClassDecorator,
  type TaskOptions,
} from './decorators/index.js';
