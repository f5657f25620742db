import type {
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
 * The resolved configuration: every key of the schema with its effective value. docs/config.md
 * describes each key with its default and environment variable.
 */
export interface ObservabilityConfig {
  service: {
    name: string;
    version: string;
    environment: string;
    instance_id: string;
  };
  prometheus: {
    enabled: boolean;
    host: string;
    port: number;
    path: string;
    include_tenant_labels: boolean;
    /** Seconds. */
    latency_buckets: number[];
    default_metrics: boolean;
    auth: {
      type: MetricsAuthType;
      token: string;
      username: string;
      password: string;
    };
  };
  opentelemetry: {
    enabled: boolean;
    exporter: {
      protocol: ExporterProtocol;
      /** Empty string: the protocol's default endpoint. */
      endpoint: string;
      headers: Record<string, string>;
      timeout_ms: number;
    };
    batch: {
      max_queue_size: number;
      max_export_batch_size: number;
      scheduled_delay_ms: number;
    };
    sampling: {
      strategy: SamplingStrategy;
      ratio: number;
      always_sample: string[];
      error_capture: {
        enabled: boolean;
        max_traces: number;
        max_spans_per_trace: number;
        max_buffered_spans: number;
      };
    };
    resource: Record<string, string>;
    propagation: PropagatorName[];
    instrumentations: {
      http: boolean;
      fetch: boolean;
    };
  };
  logging: {
    level: LogLevel;
    destination: string;
    pretty: boolean;
    redact: string[];
  };
  tenancy: {
    max_tenants_per_metric: number;
    overflow: TenantOverflowMode;
    buckets: number;
    allowlist: string[];
    warn_interval_ms: number;
  };
  shutdown_timeout_ms: number;
}

/** Where an effective value came from, lowest to highest precedence. */
export type ConfigSource = 'default' | 'file' | 'env' | 'override';

/** A deep partial of {@link ObservabilityConfig}: the shape of code overrides. */
export type ConfigOverrides = {
  [K in keyof ObservabilityConfig]?: ObservabilityConfig[K] extends Record<string, unknown>
    ? DeepPartial<ObservabilityConfig[K]>
    : ObservabilityConfig[K];
};

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends Record<string, unknown> ? DeepPartial<T[K]> : T[K];
};
