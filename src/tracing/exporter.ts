import type { ObservabilityConfig } from '../config/types.js';
import { loadExporterTls } from './exporter-tls.js';
import type { OtlpSpanExporter } from './otlp-span-exporter.js';

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
  const [transformer, exporter, retrying, transport] = await Promise.all([
    import('@opentelemetry/otlp-transformer'),
    import('./otlp-span-exporter.js'),
    import('./retrying-transport.js'),
    protocol === 'grpc'
      ? Promise.all([import('@grpc/grpc-js'), import('./grpc-transport.js')]).then(
          ([grpc, module]) => ({ protocol, grpc, module }) as const,
        )
      : import('./http-transport.js').then((module) => ({ protocol, module }) as const),
  ]);
  return { protocol, transformer, exporter, retrying, transport };
}

/** The modules {@link loadExporterModules} loaded for one protocol. */
export interface ExporterModules {
  protocol: ExporterConfig['protocol'];
  transformer: typeof import('@opentelemetry/otlp-transformer');
  exporter: typeof import('./otlp-span-exporter.js');
  retrying: typeof import('./retrying-transport.js');
  /** The transport of the protocol (and `@grpc/grpc-js` for grpc). */
  transport:
    | { protocol: 'grpc'; grpc: typeof import('@grpc/grpc-js'); module: typeof import('./grpc-transport.js') }
    | { protocol: 'http/protobuf'; module: typeof import('./http-transport.js') };
}

/** A span exporter and the ways to end what it still has in flight. */
export interface SpanExporterHandle {
  exporter: OtlpSpanExporter;
  /** Shutdown has begun: retryable failures are final from now on, retry waits end (retrying-transport.ts). */
  drain(): void;
  /**
   * Aborts the exports still in flight and their retry waits, once shutdown's budget is spent, so
   * that nothing of the exporter keeps the process alive.
   */
  abort(): void;
}

/**
 * Builds the OTLP span exporter from `opentelemetry.exporter`: protocol, endpoint, headers (gRPC
 * metadata for grpc), per-export timeout, compression and TLS files: the package's
 * {@link OtlpSpanExporter} (protobuf serializer, per-batch outcome with partial success) over the
 * shared retry policy (retrying-transport.ts) and the protocol's transport (http-transport.ts,
 * grpc-transport.ts), whose requests, calls and retry waits shutdown can abort (the SDK's own
 * cannot: opentelemetry-js-contrib#3349). `holdEventLoop`: keep the process alive while an export
 * is in flight, for a caller that awaits one itself (the doctor command); the tracing pipeline
 * never does (an export must not keep the process alive on its own). Synchronous, so that it can
 * run inside the isolated environment (see isolated-env.ts).
 *
 * @throws ObservabilityError `OBS_ERR_EXPORTER_TLS` when a TLS file cannot be used (exporter-tls.ts).
 */
export function createSpanExporter(
  config: ExporterConfig,
  modules: ExporterModules,
  options: { holdEventLoop?: boolean } = {},
): SpanExporterHandle {
  const url = resolveExporterEndpoint(config);
  const tls = loadExporterTls(config);
  const { compression } = config;
  const holdEventLoop = options.holdEventLoop ?? false;
  const transport =
    modules.transport.protocol === 'grpc'
      ? new modules.transport.module.GrpcTransport(modules.transport.grpc, {
          url,
          metadata: grpcMetadata(modules.transport.grpc, config.headers),
          compression,
          tls,
        })
      : new modules.transport.module.HttpTransport({ url, headers: config.headers, compression, tls, holdEventLoop });
  const retrying = new modules.retrying.RetryingTransport(transport, { holdEventLoop });
  const exporter = new modules.exporter.OtlpSpanExporter(
    retrying,
    modules.transformer.ProtobufTraceSerializer,
    config.timeout_ms,
  );
  return { exporter, drain: () => retrying.drain(), abort: () => retrying.shutdown() };
}

function grpcMetadata(grpc: typeof import('@grpc/grpc-js'), headers: Readonly<Record<string, string>>) {
  const metadata = new grpc.Metadata();
  for (const [name, value] of Object.entries(headers)) metadata.set(name.toLowerCase(), value);
  return metadata;
}
