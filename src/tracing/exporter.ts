import type { IExporterTransport } from '@opentelemetry/otlp-exporter-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { ObservabilityConfig } from '../config/types.js';

type ExporterConfig = ObservabilityConfig['opentelemetry']['exporter'];

/** Default collector URL for the `grpc` protocol. */
const GRPC_DEFAULT_ENDPOINT = 'http://localhost:4317';
/** Default collector URL for the `http/protobuf` protocol. */
const HTTP_DEFAULT_ENDPOINT = 'http://localhost:4318/v1/traces';
/** Path appended to an http/protobuf endpoint that names none. */
const HTTP_TRACES_PATH = '/v1/traces';

/**
 * The collector URL the exporter sends to: the configured endpoint, or the protocol's default
 * when it is empty. For http/protobuf a URL without a path (or with `/`) gets `/v1/traces`.
 */
export function resolveExporterEndpoint(exporter: Pick<ExporterConfig, 'protocol' | 'endpoint'>): string {
  const endpoint = exporter.endpoint.trim();
  if (exporter.protocol === 'grpc') return endpoint === '' ? GRPC_DEFAULT_ENDPOINT : endpoint;
  if (endpoint === '') return HTTP_DEFAULT_ENDPOINT;
  const url = new URL(endpoint);
  if (url.pathname === '' || url.pathname === '/') url.pathname = HTTP_TRACES_PATH;
  return url.toString();
}

/**
 * Loads the OTLP exporter modules of `protocol` (loaded lazily: the gRPC stack alone costs tens of
 * milliseconds of start-up, and a service uses one protocol). Call before
 * {@link createSpanExporter}, outside the isolated environment (module loading is asynchronous).
 */
export async function loadExporterModules(protocol: ExporterConfig['protocol']): Promise<ExporterModules> {
  const [base, nodeHttp, transformer, http, grpc] = await Promise.all([
    import('@opentelemetry/otlp-exporter-base'),
    import('@opentelemetry/otlp-exporter-base/node-http'),
    import('@opentelemetry/otlp-transformer'),
    import('./http-transport.js'),
    protocol === 'grpc'
      ? Promise.all([import('@grpc/grpc-js'), import('./grpc-transport.js')])
      : Promise.resolve(undefined),
  ]);
  return { protocol, base, nodeHttp, transformer, http, grpc };
}

/** The modules {@link loadExporterModules} loaded for one protocol. */
export interface ExporterModules {
  protocol: ExporterConfig['protocol'];
  base: typeof import('@opentelemetry/otlp-exporter-base');
  nodeHttp: typeof import('@opentelemetry/otlp-exporter-base/node-http');
  transformer: typeof import('@opentelemetry/otlp-transformer');
  http: typeof import('./http-transport.js');
  /** `@grpc/grpc-js` and the gRPC transport, for the grpc protocol only. */
  grpc: [typeof import('@grpc/grpc-js'), typeof import('./grpc-transport.js')] | undefined;
}

/** A span exporter and the ways to end what it still has in flight. */
export interface SpanExporterHandle {
  exporter: SpanExporter;
  /** Shutdown has begun: retryable failures are final from now on, retry waits end (http-transport.ts). */
  drain(): void;
  /**
   * Aborts the exports still in flight and their retry waits, once shutdown's budget is spent, so
   * that nothing of the exporter keeps the process alive.
   */
  abort(): void;
}

/** Exports in flight at once per exporter (the SDK's default). */
const CONCURRENCY_LIMIT = 30;
/** `otel.component.type` of the SDK's own span exporters (their self-metrics, off here). */
const HTTP_SPAN_EXPORTER_COMPONENT = 'otlp_http_span_exporter';
const GRPC_SPAN_EXPORTER_COMPONENT = 'otlp_grpc_span_exporter';

/**
 * Builds the OTLP span exporter from `opentelemetry.exporter`: protocol, endpoint, headers
 * (gRPC metadata for grpc) and the per-request timeout: the SDK's OTLP exporter (protobuf
 * serializer, export queue, partial-success handling) over the package's transports
 * (http-transport.ts, grpc-transport.ts), whose requests, calls and retry waits shutdown can abort
 * (the SDK's own cannot: opentelemetry-js-contrib#3349). `holdEventLoop`: keep the process alive
 * while an export is in flight, for a caller that awaits one itself (the doctor command); the
 * tracing pipeline never does (an export must not keep the process alive on its own). Synchronous, so that it can run inside the isolated
 * environment (see isolated-env.ts).
 */
export function createSpanExporter(
  config: ExporterConfig,
  modules: ExporterModules,
  options: { holdEventLoop?: boolean } = {},
): SpanExporterHandle {
  const url = resolveExporterEndpoint(config);
  let transport: IExporterTransport & { shutdown(): void; drain(): void };
  let component: string;
  if (modules.grpc !== undefined) {
    const [grpc, { AbortableGrpcTransport }] = modules.grpc;
    const metadata = new grpc.Metadata();
    for (const [name, value] of Object.entries(config.headers)) metadata.set(name.toLowerCase(), value);
    transport = new AbortableGrpcTransport(grpc, url, metadata);
    component = GRPC_SPAN_EXPORTER_COMPONENT;
  } else {
    transport = new modules.http.AbortableHttpTransport(url, config.headers, options.holdEventLoop);
    component = HTTP_SPAN_EXPORTER_COMPONENT;
  }
  const delegate = modules.base.createOtlpNetworkExportDelegate(
    { timeoutMillis: config.timeout_ms, concurrencyLimit: CONCURRENCY_LIMIT, compression: 'none' },
    modules.transformer.ProtobufTraceSerializer,
    modules.nodeHttp.createOtlpHttpExporterMetrics(
      component,
      modules.transformer.TraceExporterMetricsHelper,
      url,
      undefined,
    ),
    transport,
  );
  const exporter = new modules.base.OTLPExporterBase(delegate) as unknown as SpanExporter;
  return { exporter, drain: () => transport.drain(), abort: () => transport.shutdown() };
}
