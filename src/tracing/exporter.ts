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
  if (protocol === 'grpc') {
    const [exporter, grpc] = await Promise.all([
      import('@opentelemetry/exporter-trace-otlp-grpc'),
      import('@grpc/grpc-js'),
    ]);
    return { protocol, exporter, grpc };
  }
  const [base, nodeHttp, transformer, transport] = await Promise.all([
    import('@opentelemetry/otlp-exporter-base'),
    import('@opentelemetry/otlp-exporter-base/node-http'),
    import('@opentelemetry/otlp-transformer'),
    import('./http-transport.js'),
  ]);
  return { protocol, base, nodeHttp, transformer, transport };
}

/** The modules {@link loadExporterModules} loaded for one protocol. */
export type ExporterModules =
  | {
      protocol: 'grpc';
      exporter: typeof import('@opentelemetry/exporter-trace-otlp-grpc');
      grpc: typeof import('@grpc/grpc-js');
    }
  | {
      protocol: 'http/protobuf';
      base: typeof import('@opentelemetry/otlp-exporter-base');
      nodeHttp: typeof import('@opentelemetry/otlp-exporter-base/node-http');
      transformer: typeof import('@opentelemetry/otlp-transformer');
      transport: typeof import('./http-transport.js');
    };

/** A span exporter and the way to abandon what it still has in flight. */
export interface SpanExporterHandle {
  exporter: SpanExporter;
  /**
   * Aborts the exports still in flight and their retry waits, once shutdown's budget is spent, so
   * that nothing of the exporter keeps the process alive (the gRPC exporter needs nothing here).
   */
  abort(): void;
}

/** Exports in flight at once per exporter (the SDK's default). */
const CONCURRENCY_LIMIT = 30;
/** `otel.component.type` of the SDK's own http/protobuf span exporter (its self-metrics, off here). */
const HTTP_SPAN_EXPORTER_COMPONENT = 'otlp_http_span_exporter';

/**
 * Builds the OTLP span exporter from `opentelemetry.exporter`: protocol, endpoint, headers
 * (gRPC metadata for grpc) and the per-request timeout. For http/protobuf it is the SDK's exporter
 * (serializer, export queue, partial-success handling) over {@link AbortableHttpTransport}, whose
 * requests and retries shutdown can abort. Synchronous, so that it can run inside the isolated
 * environment (see isolated-env.ts).
 */
export function createSpanExporter(config: ExporterConfig, modules: ExporterModules): SpanExporterHandle {
  const url = resolveExporterEndpoint(config);
  if (modules.protocol === 'grpc') {
    const metadata = new modules.grpc.Metadata();
    for (const [name, value] of Object.entries(config.headers)) metadata.set(name.toLowerCase(), value);
    const exporter = new modules.exporter.OTLPTraceExporter({ url, metadata, timeoutMillis: config.timeout_ms });
    return { exporter, abort: () => undefined };
  }
  const transport = new modules.transport.AbortableHttpTransport(url, config.headers);
  const delegate = modules.base.createOtlpNetworkExportDelegate(
    { timeoutMillis: config.timeout_ms, concurrencyLimit: CONCURRENCY_LIMIT, compression: 'none' },
    modules.transformer.ProtobufTraceSerializer,
    modules.nodeHttp.createOtlpHttpExporterMetrics(
      HTTP_SPAN_EXPORTER_COMPONENT,
      modules.transformer.TraceExporterMetricsHelper,
      url,
      undefined,
    ),
    transport,
  );
  const exporter = new modules.base.OTLPExporterBase(delegate) as unknown as SpanExporter;
  return { exporter, abort: () => transport.shutdown() };
}
