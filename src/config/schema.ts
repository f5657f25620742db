import {
  booleanValue,
  endpointUrl,
  headerMap,
  increasingPositiveNumbers,
  integerInRange,
  logDestination,
  nonEmptyString,
  propagatorList,
  numberInRange,
  oneOf,
  samplingRules,
  stringListOf,
  stringMap,
  stringValue,
  urlPath,
} from './formats.js';

/** Sampling strategies accepted by `opentelemetry.sampling.strategy`. */
export const SAMPLING_STRATEGIES = [
  'parent_based_traceid_ratio',
  'traceid_ratio',
  'always_on',
  'always_off',
  'parent_based_always_on',
  'parent_based_always_off',
] as const;

/** Propagators accepted by `opentelemetry.propagation`. */
export const PROPAGATORS = ['tracecontext', 'baggage', 'b3', 'b3multi', 'none'] as const;

/** OTLP exporter protocols accepted by `opentelemetry.exporter.protocol`. */
export const EXPORTER_PROTOCOLS = ['grpc', 'http/protobuf'] as const;

/** Log levels accepted by `logging.level`. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Overflow modes of the tenant cardinality guard. */
export const TENANT_OVERFLOW_MODES = ['other', 'bucket'] as const;

/** Auth modes of the Prometheus endpoint. */
export const METRICS_AUTH_TYPES = ['none', 'bearer', 'basic'] as const;

/**
 * The one config schema: every key with its doc, format, default and `GREY_*` environment variable.
 * Defaults live here and nowhere else. Keys marked `sensitive` are redacted in every output.
 * The standard `OTEL_*` variables are mapped onto these keys in env.ts.
 */
export const configSchema = {
  service: {
    name: {
      doc: 'Service name: the service.name resource attribute and the `service` field of every log line.',
      format: nonEmptyString,
      default: 'grey-service',
      env: 'GREY_SERVICE_NAME',
    },
    version: {
      doc: 'Service version (service.version). Empty leaves it out.',
      format: stringValue,
      default: '',
      env: 'GREY_SERVICE_VERSION',
    },
    environment: {
      doc: 'Deployment environment (deployment.environment). Empty leaves it out.',
      format: stringValue,
      default: '',
      env: 'GREY_SERVICE_ENVIRONMENT',
    },
    instance_id: {
      doc: 'Instance id (service.instance.id). Empty leaves it out.',
      format: stringValue,
      default: '',
      env: 'GREY_SERVICE_INSTANCE_ID',
    },
  },
  prometheus: {
    enabled: {
      doc: 'Serve the Prometheus endpoint.',
      format: booleanValue,
      default: true,
      env: 'GREY_PROMETHEUS_ENABLED',
    },
    host: {
      doc: 'Address the endpoint binds to. 0.0.0.0 lets Prometheus reach the pod; 127.0.0.1 keeps it local.',
      format: nonEmptyString,
      default: '0.0.0.0',
      env: 'GREY_PROMETHEUS_HOST',
    },
    port: {
      doc: 'TCP port of the endpoint; 0 picks a free port (tests).',
      format: integerInRange(0, 65535),
      default: 9090,
      env: 'GREY_PROMETHEUS_PORT',
    },
    path: {
      doc: 'URL path of the endpoint; every other path answers 404.',
      format: urlPath,
      default: '/metrics',
      env: 'GREY_PROMETHEUS_PATH',
    },
    include_tenant_labels: {
      doc: 'Keep the `tenant` label on tenant-aware metrics. false removes it (lowest cardinality).',
      format: booleanValue,
      default: true,
      env: 'GREY_PROMETHEUS_INCLUDE_TENANT_LABELS',
    },
    latency_buckets: {
      doc:
        "Histogram bucket upper bounds in seconds for task and query durations. The default is the spec's " +
        'best-practice set, up to 30 s: a p99 above 5 s (alert GreyHighTaskLatency) needs bounds beyond 5 s.',
      format: increasingPositiveNumbers,
      default: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0],
      env: 'GREY_PROMETHEUS_LATENCY_BUCKETS',
    },
    default_metrics: {
      doc: 'Collect Node.js process metrics (CPU, memory, event loop, GC) on the same registry.',
      format: booleanValue,
      default: true,
      env: 'GREY_PROMETHEUS_DEFAULT_METRICS',
    },
    auth: {
      type: {
        doc: 'Endpoint authentication: none, bearer (token) or basic (username/password).',
        format: oneOf(METRICS_AUTH_TYPES),
        default: 'none',
        env: 'GREY_PROMETHEUS_AUTH_TYPE',
      },
      token: {
        doc: 'Bearer token required when auth.type is bearer.',
        format: stringValue,
        default: '',
        env: 'GREY_PROMETHEUS_AUTH_TOKEN',
        sensitive: true,
      },
      username: {
        doc: 'Username required when auth.type is basic.',
        format: stringValue,
        default: '',
        env: 'GREY_PROMETHEUS_AUTH_USERNAME',
      },
      password: {
        doc: 'Password required when auth.type is basic.',
        format: stringValue,
        default: '',
        env: 'GREY_PROMETHEUS_AUTH_PASSWORD',
        sensitive: true,
      },
    },
  },
  opentelemetry: {
    enabled: {
      doc: 'Start OpenTelemetry tracing. OTEL_SDK_DISABLED=true turns it off.',
      format: booleanValue,
      default: true,
      env: 'GREY_OTEL_ENABLED',
    },
    exporter: {
      protocol: {
        doc: 'OTLP protocol: grpc or http/protobuf.',
        format: oneOf(EXPORTER_PROTOCOLS),
        default: 'grpc',
        env: 'GREY_OTEL_EXPORTER_PROTOCOL',
      },
      endpoint: {
        doc: 'Collector URL. Empty means the protocol default: http://localhost:4317 (grpc), http://localhost:4318/v1/traces (http/protobuf). For http/protobuf a URL without a path gets /v1/traces.',
        format: endpointUrl,
        default: '',
        env: 'GREY_OTEL_EXPORTER_ENDPOINT',
      },
      headers: {
        doc: 'Headers sent with every export (values are secrets: redacted in all output). ${VAR} is replaced from the environment.',
        format: headerMap,
        default: {},
        env: 'GREY_OTEL_EXPORTER_HEADERS',
        sensitive: true,
      },
      timeout_ms: {
        doc: 'Timeout of one export request, in milliseconds.',
        format: integerInRange(1, 600_000),
        default: 10_000,
        env: 'GREY_OTEL_EXPORTER_TIMEOUT_MS',
      },
    },
    batch: {
      max_queue_size: {
        doc: 'Finished spans held for export at most; more are dropped and counted (bounded memory).',
        format: integerInRange(1, 1_000_000),
        default: 2048,
        env: 'GREY_OTEL_BATCH_MAX_QUEUE_SIZE',
      },
      max_export_batch_size: {
        doc: 'Spans per export request at most.',
        format: integerInRange(1, 100_000),
        default: 512,
        env: 'GREY_OTEL_BATCH_MAX_EXPORT_BATCH_SIZE',
      },
      scheduled_delay_ms: {
        doc: 'Delay between two exports, in milliseconds.',
        format: integerInRange(1, 3_600_000),
        default: 5000,
        env: 'GREY_OTEL_BATCH_SCHEDULED_DELAY_MS',
      },
    },
    sampling: {
      strategy: {
        doc: 'Head sampler: parent_based_traceid_ratio, traceid_ratio, always_on, always_off, parent_based_always_on, parent_based_always_off.',
        format: oneOf(SAMPLING_STRATEGIES),
        default: 'parent_based_traceid_ratio',
        env: 'GREY_OTEL_SAMPLING_STRATEGY',
      },
      ratio: {
        doc: 'Share of root traces sampled by the ratio strategies, from 0 to 1.',
        format: numberInRange(0, 1),
        default: 0.1,
        env: 'GREY_OTEL_SAMPLING_RATIO',
      },
      always_sample: {
        doc: 'Rules "key=value" or "key=*" on a span\'s start attributes that sample it whatever the ratio. "error=true" also keeps the local spans of a dropped trace when one of them ends in error.',
        format: samplingRules,
        default: ['error=true', 'priority=critical'],
        env: 'GREY_OTEL_SAMPLING_ALWAYS_SAMPLE',
      },
      error_capture: {
        enabled: {
          doc: 'Buffer the spans of traces the ratio dropped, and export them if one ends in error (needs the rule error=true). false removes the cost.',
          format: booleanValue,
          default: true,
          env: 'GREY_OTEL_ERROR_CAPTURE_ENABLED',
        },
        max_traces: {
          doc: 'Dropped traces buffered at once at most; the oldest is evicted beyond it (counted).',
          format: integerInRange(1, 1_000_000),
          default: 1000,
          env: 'GREY_OTEL_ERROR_CAPTURE_MAX_TRACES',
        },
        max_spans_per_trace: {
          doc: 'Spans buffered per dropped trace at most; more are dropped (counted).',
          format: integerInRange(1, 100_000),
          default: 256,
          env: 'GREY_OTEL_ERROR_CAPTURE_MAX_SPANS_PER_TRACE',
        },
        max_buffered_spans: {
          doc: 'Spans buffered across all dropped traces at most (bounds memory whatever the traffic); more are dropped (counted).',
          format: integerInRange(1, 1_000_000),
          default: 10_000,
          env: 'GREY_OTEL_ERROR_CAPTURE_MAX_BUFFERED_SPANS',
        },
      },
    },
    resource: {
      doc: 'Extra resource attributes (service.name, service.version and deployment.environment here fill the service section when it is not set).',
      format: stringMap,
      default: {},
      env: 'GREY_OTEL_RESOURCE',
    },
    propagation: {
      doc: 'Context propagators, in order: tracecontext, baggage, b3, b3multi, or none (jaeger was removed with OpenTelemetry JS 3.x).',
      format: propagatorList(PROPAGATORS),
      default: ['tracecontext', 'baggage'],
      env: 'GREY_OTEL_PROPAGATION',
    },
    instrumentations: {
      http: {
        doc: 'Automatic spans for node:http and node:https servers and clients.',
        format: booleanValue,
        default: true,
        env: 'GREY_OTEL_INSTRUMENT_HTTP',
      },
      fetch: {
        doc: 'Automatic spans for fetch() (undici) client requests.',
        format: booleanValue,
        default: true,
        env: 'GREY_OTEL_INSTRUMENT_FETCH',
      },
    },
  },
  logging: {
    level: {
      doc: 'Minimum log level: trace, debug, info, warn, error, fatal or silent.',
      format: oneOf(LOG_LEVELS),
      default: 'info',
      env: 'GREY_LOG_LEVEL',
    },
    destination: {
      doc: 'Where log lines go: stdout, stderr or a file path (appended, created if missing).',
      format: logDestination,
      default: 'stdout',
      env: 'GREY_LOG_DESTINATION',
    },
    pretty: {
      doc: 'Human-readable output through pino-pretty when it is installed (development only).',
      format: booleanValue,
      default: false,
      env: 'GREY_LOG_PRETTY',
    },
    redact: {
      doc: 'pino redaction paths, on top of the built-in ones (authorization, cookie, password, token and the exporter headers).',
      format: stringListOf(),
      default: [],
      env: 'GREY_LOG_REDACT',
    },
  },
  tenancy: {
    max_tenants_per_metric: {
      doc: 'Distinct tenant values admitted per metric for the life of the process; later ones overflow.',
      format: integerInRange(0, 1_000_000),
      default: 100,
      env: 'GREY_TENANCY_MAX_TENANTS_PER_METRIC',
    },
    overflow: {
      doc: 'Where overflowing tenants go: other (the single value __other__) or bucket (bucket-NN by a stable hash).',
      format: oneOf(TENANT_OVERFLOW_MODES),
      default: 'other',
      env: 'GREY_TENANCY_OVERFLOW',
    },
    buckets: {
      doc: 'Number of bucket-NN values in bucket mode.',
      format: integerInRange(1, 10_000),
      default: 100,
      env: 'GREY_TENANCY_BUCKETS',
    },
    allowlist: {
      doc: 'Tenants that always keep their own label value, outside the budget.',
      format: stringListOf(),
      default: [],
      env: 'GREY_TENANCY_ALLOWLIST',
    },
    warn_interval_ms: {
      doc: 'Least time between two repeated overflow warnings of one metric, in milliseconds.',
      format: integerInRange(0, 86_400_000),
      default: 60_000,
      env: 'GREY_TENANCY_WARN_INTERVAL_MS',
    },
  },
  shutdown_timeout_ms: {
    doc: 'Longest time shutdown() spends flushing and closing, in milliseconds.',
    format: integerInRange(1, 600_000),
    default: 5000,
    env: 'GREY_SHUTDOWN_TIMEOUT_MS',
  },
} as const;

/** One leaf of {@link configSchema}. */
export interface SchemaLeaf {
  doc: string;
  format: (value: unknown) => void;
  default: unknown;
  env: string;
  sensitive?: boolean;
}

/** True when `node` is a leaf (has a `doc` and a `format`) rather than a section. */
export function isSchemaLeaf(node: unknown): node is SchemaLeaf {
  return typeof node === 'object' && node !== null && 'doc' in node && 'format' in node && 'default' in node;
}

/** Every leaf of the schema with its dotted key path, in schema order. */
export function listSchemaLeaves(): Array<{ key: string; leaf: SchemaLeaf }> {
  const out: Array<{ key: string; leaf: SchemaLeaf }> = [];
  const walk = (node: Record<string, unknown>, prefix: string): void => {
    for (const [name, child] of Object.entries(node)) {
      const key = prefix === '' ? name : `${prefix}.${name}`;
      if (isSchemaLeaf(child)) out.push({ key, leaf: child });
      else walk(child as Record<string, unknown>, key);
    }
  };
  walk(configSchema as unknown as Record<string, unknown>, '');
  return out;
}
