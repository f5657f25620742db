import type {
  ConfigOf,
  configSchema,
  EXPORTER_PROTOCOLS,
  LOG_LEVELS,
  METRICS_AUTH_TYPES,
  PROPAGATORS,
  SAMPLING_STRATEGIES,
  TENANT_OVERFLOW_MODES,
} from './schema.js';

/** Sampling strategy names (see `opentelemetry.sampling.strategy`). */
export type SamplingStrategy = (typeof SAMPLING_STRATEGIES)[number];
/** Propagator names (see `opentelemetry.propagation`). */
export type PropagatorName = (typeof PROPAGATORS)[number];
/** OTLP protocols (see `opentelemetry.exporter.protocol`). */
export type ExporterProtocol = (typeof EXPORTER_PROTOCOLS)[number];
/** Log levels (see `logging.level`). */
export type LogLevel = (typeof LOG_LEVELS)[number];
/** Tenant overflow modes (see `tenancy.overflow`). */
export type TenantOverflowMode = (typeof TENANT_OVERFLOW_MODES)[number];
/** Prometheus endpoint auth modes (see `prometheus.auth.type`). */
export type MetricsAuthType = (typeof METRICS_AUTH_TYPES)[number];

/**
 * The resolved configuration: every key of the schema with its effective value, typed by the
 * key's format (derived from `configSchema` (src/config/schema.ts), never written by hand). docs/config-reference.md
 * lists each key with its default, environment variable and meaning.
 */
export type ObservabilityConfig = ConfigOf<typeof configSchema>;

/** Where an effective value came from, lowest to highest precedence. */
export type ConfigSource = 'default' | 'file' | 'env' | 'override';

/** A deep partial of {@link ObservabilityConfig}: the shape of code overrides. */
export type ConfigOverrides = {
  [K in keyof ObservabilityConfig]?: ObservabilityConfig[K] extends Record<string, unknown>
    ? DeepPartial<ObservabilityConfig[K]>
    : ObservabilityConfig[K];
};

/** `T` with every key optional at every depth (arrays are replaced whole). */
export type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends Record<string, unknown> ? DeepPartial<T[K]> : T[K];
};
