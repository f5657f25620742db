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
  return { protocol, exporter: await import('@opentelemetry/exporter-trace-otlp-proto') };
}

/** The modules {@link loadExporterModules} loaded for one protocol. */
export type ExporterModules =
  | {
      protocol: 'grpc';
      exporter: typeof import('@opentelemetry/exporter-trace-otlp-grpc');
      grpc: typeof import('@grpc/grpc-js');
    }
  | { protocol: 'http/protobuf'; exporter: typeof import('@opentelemetry/exporter-trace-otlp-proto') };

/**
 * Builds the OTLP span exporter from `opentelemetry.exporter`: protocol, endpoint, headers
 * (gRPC metadata for grpc) and the per-request timeout. Synchronous, so that it can run inside
 * the isolated environment (see isolated-env.ts).
 */
export function createSpanExporter(config: ExporterConfig, modules: ExporterModules): SpanExporter {
  const url = resolveExporterEndpoint(config);
  if (modules.protocol === 'grpc') {
    const metadata = new modules.grpc.Metadata();
    for (const [name, value] of Object.entries(config.headers)) metadata.set(name.toLowerCase(), value);
    return new modules.exporter.OTLPTraceExporter({ url, metadata, timeoutMillis: config.timeout_ms });
  }
  return new modules.exporter.OTLPTraceExporter({
    url,
    headers: { ...config.headers },
    timeoutMillis: config.timeout_ms,
  });
}
