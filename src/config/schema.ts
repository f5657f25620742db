import {
  type Format,
  booleanValue,
  endpointUrl,
  headerMap,
  increasingPositiveNumbers,
  integerInRange,
  logDestination,
  nonEmptyString,
  ignoredPaths,
  propagatorList,
  numberInRange,
  oneOf,
  samplingRules,
  stringListOf,
  stringMap,
  stringValue,
  urlPath,
} from './formats.js';
import { NAMED_INSTRUMENTATIONS, type NamedInstrumentation } from '../tracing/instrumentation-catalog.js';

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

/** Compressions accepted by `opentelemetry.exporter.compression` (OTLP exporter specification). */
const EXPORTER_COMPRESSIONS = ['none', 'gzip'] as const;

/**
 * Resource detectors accepted by `opentelemetry.resource_detectors`, as `OTEL_NODE_RESOURCE_DETECTORS`
 * names them (@opentelemetry/sdk-node, auto-instrumentations-node): `all` is every one, `none` none.
 */
export const RESOURCE_DETECTORS = [
  'env',
  'host',
  'os',
  'process',
  'serviceinstance',
  'container',
  'all',
  'none',
] as const;

/** Log levels accepted by `logging.level`. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Levels accepted by `logging.task_events_level` (failure lines stay at error). */
const TASK_EVENT_LOG_LEVELS = ['trace', 'debug', 'info'] as const;

/** Overflow modes of the tenant cardinality guard. */
export const TENANT_OVERFLOW_MODES = ['other', 'bucket'] as const;

/** Auth modes of the Prometheus endpoint. */
export const METRICS_AUTH_TYPES = ['none', 'bearer', 'basic'] as const;

/**
 * The one config schema (convict's form: doc, format, default, sensitive per key). Everything else
 * is derived from it: the {@link ObservabilityConfig} type (each format carries its value type),
 * the `GREY_*` variable of each key ({@link envNameOf}), how environment and `${VAR}` text is
 * typed (each format's kind), the secret keys and log redaction paths, and docs/config-reference.md.
 * Defaults live here and nowhere else. The standard `OTEL_*` variables are mapped in env-layer.ts.
 */
export const configSchema = {
  service: {
    name: setting({
      doc: 'Service name: the service.name resource attribute and the `service` field of every log line.',
      format: nonEmptyString,
      default: 'grey-service',
    }),
    version: setting({
      doc: 'Service version (service.version). Empty leaves it out.',
      format: stringValue,
      default: '',
    }),
    environment: setting({
      doc: 'Deployment environment (deployment.environment). Empty leaves it out.',
      format: stringValue,
      default: '',
    }),
    instance_id: setting({
      doc: 'Instance id (service.instance.id). Empty leaves it out.',
      format: stringValue,
      default: '',
    }),
  },
  prometheus: {
    enabled: setting({
      doc: 'Serve the Prometheus endpoint.',
      format: booleanValue,
      default: true,
    }),
    host: setting({
      doc: 'Address the endpoint binds to. 0.0.0.0 lets Prometheus reach the pod; 127.0.0.1 keeps it local.',
      format: nonEmptyString,
      default: '0.0.0.0',
    }),
    port: setting({
      doc: 'TCP port of the endpoint; 0 picks a free port (tests).',
      format: integerInRange(0, 65535),
      default: 9090,
    }),
    path: setting({
      doc: 'URL path of the endpoint; every other path answers 404.',
      format: urlPath,
      default: '/metrics',
    }),
    include_tenant_labels: setting({
      doc: 'Keep the `tenant` label on tenant-aware metrics. false removes it (lowest cardinality).',
      format: booleanValue,
      default: true,
    }),
    latency_buckets: setting({
      doc:
        "Histogram bucket upper bounds in seconds for task and query durations. The default is the spec's " +
        'best-practice set, up to 30 s: a p99 above 5 s (alert GreyHighTaskLatency) needs bounds beyond 5 s.',
      format: increasingPositiveNumbers,
      default: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0],
    }),
    default_metrics: setting({
      doc: 'Collect Node.js process metrics (CPU, memory, event loop, GC) on the same registry.',
      format: booleanValue,
      default: true,
    }),
    scrape_timeout_ms: setting({
      doc:
        'Longest time one rendering of the endpoint may take, in milliseconds. Past it the scrape gets HTTP 503 ' +
        'naming the metrics still collecting, and the next scrape renders afresh. Keep it under the ' +
        "scraper's own timeout (Prometheus scrape_timeout, 10 s by default).",
      format: integerInRange(1, 600_000),
      default: 8000,
    }),
    auth: {
      type: setting({
        doc: 'Endpoint authentication: none, bearer (token) or basic (username/password).',
        format: oneOf(METRICS_AUTH_TYPES),
        default: 'none',
      }),
      token: setting({
        doc: 'Bearer token required when auth.type is bearer.',
        format: stringValue,
        default: '',
        sensitive: true,
      }),
      username: setting({
        doc: 'Username required when auth.type is basic.',
        format: stringValue,
        default: '',
      }),
      password: setting({
        doc: 'Password required when auth.type is basic.',
        format: stringValue,
        default: '',
        sensitive: true,
      }),
    },
  },
  opentelemetry: {
    enabled: setting({
      doc: 'Start OpenTelemetry tracing. OTEL_SDK_DISABLED=true turns it off.',
      format: booleanValue,
      default: true,
    }),
    exporter: {
      protocol: setting({
        doc: 'OTLP protocol: grpc or http/protobuf.',
        format: oneOf(EXPORTER_PROTOCOLS),
        default: 'grpc',
      }),
      endpoint: setting({
        doc: 'Collector URL. Empty means the protocol default: http://localhost:4317 (grpc), http://localhost:4318/v1/traces (http/protobuf). For http/protobuf a URL without a path gets /v1/traces.',
        format: endpointUrl,
        default: '',
      }),
      headers: setting({
        doc: 'Headers sent with every export (values are secrets: redacted in all output). ${VAR} is replaced from the environment.',
        format: headerMap,
        default: {},
        sensitive: true,
      }),
      timeout_ms: setting({
        doc: 'Timeout of one export request, in milliseconds.',
        format: integerInRange(1, 600_000),
        default: 10_000,
      }),
      compression: setting({
        doc: 'Compression of export requests: none or gzip (grpc and http/protobuf).',
        format: oneOf(EXPORTER_COMPRESSIONS),
        default: 'none',
      }),
      certificate: setting({
        doc: 'Path of a PEM file of the CA certificates that verify the collector (a private CA); empty uses the system roots. Relative paths are from the working directory.',
        format: stringValue,
        default: '',
      }),
      client_key: setting({
        doc: "Path of the PEM private key of the client certificate (mTLS); needs client_certificate. The file's content is a secret; the path is not.",
        format: stringValue,
        default: '',
      }),
      client_certificate: setting({
        doc: 'Path of the PEM client certificate (chain) presented to the collector (mTLS); needs client_key.',
        format: stringValue,
        default: '',
      }),
    },
    limits: {
      attribute_count: setting({
        doc: 'Attributes per span at most; more are dropped (OpenTelemetry span limits).',
        format: integerInRange(0, 1_000_000),
        default: 128,
      }),
      attribute_value_length: setting({
        doc: 'Characters per string attribute value (and per string in an array value) at most; longer ones are truncated. 0 means no limit.',
        format: integerInRange(0, 1_000_000_000),
        default: 0,
      }),
      event_count: setting({
        doc: 'Events per span at most; the oldest are dropped beyond it.',
        format: integerInRange(0, 1_000_000),
        default: 128,
      }),
      link_count: setting({
        doc: 'Links per span at most; beyond it the oldest are dropped (as the SDK does).',
        format: integerInRange(0, 1_000_000),
        default: 128,
      }),
      attributes_per_event: setting({
        doc: 'Attributes per span event at most; more are dropped.',
        format: integerInRange(0, 1_000_000),
        default: 128,
      }),
      attributes_per_link: setting({
        doc: 'Attributes per span link at most; more are dropped.',
        format: integerInRange(0, 1_000_000),
        default: 128,
      }),
    },
    batch: {
      max_queue_size: setting({
        doc: 'Finished spans held for export at most; more are dropped and counted (bounded memory).',
        format: integerInRange(1, 1_000_000),
        default: 2048,
      }),
      max_export_batch_size: setting({
        doc: 'Spans per export request at most.',
        format: integerInRange(1, 100_000),
        default: 512,
      }),
      scheduled_delay_ms: setting({
        doc: 'Delay between two exports, in milliseconds.',
        format: integerInRange(1, 3_600_000),
        default: 5000,
      }),
    },
    sampling: {
      strategy: setting({
        doc: 'Head sampler: parent_based_traceid_ratio, traceid_ratio, always_on, always_off, parent_based_always_on, parent_based_always_off.',
        format: oneOf(SAMPLING_STRATEGIES),
        default: 'parent_based_traceid_ratio',
      }),
      ratio: setting({
        doc: 'Share of root traces sampled by the ratio strategies, from 0 to 1.',
        format: numberInRange(0, 1),
        default: 0.1,
      }),
      always_sample: setting({
        doc: 'Rules "key=value" or "key=*" on a span\'s start attributes that sample it whatever the ratio. "error=true" also keeps the local spans of a dropped trace when one of them ends in error.',
        format: samplingRules,
        default: ['error=true', 'priority=critical'],
      }),
      error_capture: {
        enabled: setting({
          doc: 'Buffer the spans of traces the ratio dropped, and export them if one ends in error (needs the rule error=true). false removes the cost.',
          format: booleanValue,
          default: true,
        }),
        max_traces: setting({
          doc: 'Dropped traces buffered at once at most; the oldest is evicted beyond it (counted).',
          format: integerInRange(1, 1_000_000),
          default: 1000,
        }),
        max_spans_per_trace: setting({
          doc: 'Spans buffered per dropped trace at most; more are dropped (counted).',
          format: integerInRange(1, 100_000),
          default: 256,
        }),
        max_buffered_spans: setting({
          doc: 'Spans buffered across all dropped traces at most (bounds memory whatever the traffic); more are dropped (counted).',
          format: integerInRange(1, 1_000_000),
          default: 10_000,
        }),
      },
    },
    resource: setting({
      doc: 'Extra resource attributes (service.name, service.version and deployment.environment here fill the service section when it is not set).',
      format: stringMap,
      default: {},
    }),
    resource_detectors: setting({
      doc:
        'Resource detectors, as @opentelemetry/sdk-node names them: env (opentelemetry.resource and OTEL_RESOURCE_ATTRIBUTES), host (host.name, host.arch, host.id), ' +
        'os (os.type, os.version), process (process.pid, process.runtime.name ...), serviceinstance (a random service.instance.id), container (container.id from the cgroup), ' +
        "all, or none. The default is NodeSDK's. OTEL_NODE_RESOURCE_DETECTORS sets it.",
      format: stringListOf(RESOURCE_DETECTORS),
      default: ['env', 'process', 'host'],
    }),
    propagation: setting({
      doc: 'Context propagators, in order: tracecontext, baggage, b3, b3multi, or none (jaeger was removed with OpenTelemetry JS 3.x).',
      format: propagatorList(PROPAGATORS),
      default: ['tracecontext', 'baggage'],
    }),
    instrumentations: {
      http: setting({
        doc: 'Automatic spans for node:http and node:https servers and clients.',
        format: booleanValue,
        default: true,
      }),
      fetch: setting({
        doc: 'Automatic spans for fetch() (undici) client requests.',
        format: booleanValue,
        default: true,
      }),
      ...namedInstrumentationSettings(),
    },
    http: {
      ignore_incoming_paths: setting({
        doc:
          'Incoming request paths that make no server span (health checks): exact paths ("/healthz"), or prefixes written with a trailing * ("/internal/*"). ' +
          'The query string is not compared. Scrapes of the Prometheus endpoint are never traced.',
        format: ignoredPaths,
        default: [],
      }),
    },
  },
  logging: {
    level: setting({
      doc: 'Minimum log level: trace, debug, info, warn, error, fatal or silent.',
      format: oneOf(LOG_LEVELS),
      default: 'info',
    }),
    destination: setting({
      doc: 'Where log lines go: stdout, stderr or a file path (appended, created if missing).',
      format: logDestination,
      default: 'stdout',
    }),
    pretty: setting({
      doc: 'Human-readable output through pino-pretty when it is installed (development only).',
      format: booleanValue,
      default: false,
    }),
    task_events_level: setting({
      doc: "Level of @Task's per-call `task started` / `task completed` lines (the spec shows info); `task failed` lines stay at error. debug or trace keeps them out of a service logging at info.",
      format: oneOf(TASK_EVENT_LOG_LEVELS),
      default: 'info',
    }),
    redact: setting({
      doc: 'pino redaction paths, on top of the built-in secret names (password, apiKey, token, authorization, cookie ...: docs/logging.md); the key each path ends in is also censored wherever it appears, in logs and @Instrument arguments.',
      format: stringListOf(),
      default: [],
    }),
  },
  tenancy: {
    max_tenants_per_metric: setting({
      doc: 'Distinct tenant values admitted per metric for the life of the process; later ones overflow.',
      format: integerInRange(0, 1_000_000),
      default: 100,
    }),
    overflow: setting({
      doc: 'Where overflowing tenants go: other (the single value __other__) or bucket (bucket-NN by a stable hash).',
      format: oneOf(TENANT_OVERFLOW_MODES),
      default: 'other',
    }),
    buckets: setting({
      doc: 'Number of bucket-NN values in bucket mode.',
      format: integerInRange(1, 10_000),
      default: 100,
    }),
    allowlist: setting({
      doc: 'Tenants that always keep their own label value, outside the budget.',
      format: stringListOf(),
      default: [],
    }),
    warn_interval_ms: setting({
      doc: 'Least time between two repeated overflow warnings of one metric, in milliseconds.',
      format: integerInRange(0, 86_400_000),
      default: 60_000,
    }),
  },
  shutdown_timeout_ms: setting({
    doc: 'Longest time shutdown() spends flushing and closing, in milliseconds.',
    format: integerInRange(1, 600_000),
    default: 5000,
  }),
};

/** The `opentelemetry.instrumentations.<key>` switches of {@link NAMED_INSTRUMENTATIONS}, all off by default. */
function namedInstrumentationSettings(): { [K in NamedInstrumentation['key']]: SchemaLeaf<boolean> } {
  const out: Record<string, SchemaLeaf<boolean>> = {};
  for (const entry of NAMED_INSTRUMENTATIONS) {
    out[entry.key] = setting({
      doc: `${entry.what}. Needs the package ${entry.package} installed beside this one (OTEL_NODE_ENABLED_INSTRUMENTATIONS name: ${entry.name}).`,
      format: booleanValue,
      default: false,
    });
  }
  return out as { [K in NamedInstrumentation['key']]: SchemaLeaf<boolean> };
}

/** One key of {@link configSchema}: what convict needs (doc, format, default), and whether it is a secret. */
export interface SchemaLeaf<T = unknown> {
  doc: string;
  format: Format<T>;
  default: T;
  /** A secret: redacted in every output (errors, check-config, log lines by path and by value). */
  sensitive?: boolean;
}

/** Declares one key; the default must be a value of the format's type. */
function setting<T>(leaf: { doc: string; format: Format<T>; default: NoInfer<T>; sensitive?: boolean }): SchemaLeaf<T> {
  return leaf;
}

/** The resolved config type of a schema node: each leaf's format type, sections recursively. */
export type ConfigOf<S> = {
  [K in keyof S]: S[K] extends SchemaLeaf<infer T> ? T : ConfigOf<S[K]>;
};

/**
 * The `GREY_*` prefix of the keys of a section, where it is not `GREY_` + the section path in
 * capitals. The variable of a key is its prefix + the rest of its path in capitals, joined by `_`:
 * `logging.level` is GREY_LOG_LEVEL, `prometheus.auth.token` GREY_PROMETHEUS_AUTH_TOKEN.
 */
const ENV_PREFIXES: Readonly<Record<string, string>> = {
  opentelemetry: 'GREY_OTEL',
  'opentelemetry.instrumentations': 'GREY_OTEL_INSTRUMENT',
  'opentelemetry.sampling.error_capture': 'GREY_OTEL_ERROR_CAPTURE',
  logging: 'GREY_LOG',
};

/** The `GREY_*` environment variable of a dotted schema key. */
export function envNameOf(key: string): string {
  const names = key.split('.');
  for (let cut = names.length - 1; cut > 0; cut--) {
    const prefix = ENV_PREFIXES[names.slice(0, cut).join('.')];
    if (prefix !== undefined) return [prefix, ...names.slice(cut).map((n) => n.toUpperCase())].join('_');
  }
  return ['GREY', ...names.map((n) => n.toUpperCase())].join('_');
}

/** True when `node` is a leaf (has a `doc` and a `format`) rather than a section. */
export function isSchemaLeaf(node: unknown): node is SchemaLeaf {
  return typeof node === 'object' && node !== null && 'doc' in node && 'format' in node && 'default' in node;
}

/** One key of the schema with its dotted path and its `GREY_*` variable. */
export interface SchemaKey {
  key: string;
  leaf: SchemaLeaf;
  env: string;
}

let leaves: readonly SchemaKey[] | undefined;

/** Every leaf of the schema with its dotted key path and environment variable, in schema order. */
export function listSchemaLeaves(): readonly SchemaKey[] {
  if (leaves !== undefined) return leaves;
  const out: SchemaKey[] = [];
  const walk = (node: Record<string, unknown>, prefix: string): void => {
    for (const [name, child] of Object.entries(node)) {
      const key = prefix === '' ? name : `${prefix}.${name}`;
      if (isSchemaLeaf(child)) out.push({ key, leaf: child, env: envNameOf(key) });
      else walk(child as Record<string, unknown>, key);
    }
  };
  walk(configSchema, '');
  leaves = out;
  return out;
}

/** The dotted keys the schema marks sensitive. */
export function sensitiveKeys(): string[] {
  return listSchemaLeaves()
    .filter(({ leaf }) => leaf.sensitive === true)
    .map(({ key }) => key);
}
