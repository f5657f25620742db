import type { MonitoringKitOptions } from './kit-options.js';

/** The receiver's ports: OTLP/gRPC and OTLP/HTTP (the OTLP spec's defaults, what the package exports to). */
const COLLECTOR_PORTS = { grpc: 4317, http: 4318, health: 13133 } as const;

/**
 * An OpenTelemetry Collector config for the seed's architecture: the services' spans in over OTLP
 * (gRPC and HTTP), a memory limiter first and a batch processor last (the order the Collector's
 * processor docs ask for), and out to Tempo and Jaeger (both take OTLP/gRPC) and to Zipkin.
 *
 * Component names are those of the Collector's documentation; `zipkin` is an exporter of the
 * contrib distribution (`otelcol-contrib`), the others are in the core one. The exporters speak
 * plain gRPC (`tls.insecure`), as inside a cluster network; remove it for TLS endpoints.
 */
export function collectorConfig(options: MonitoringKitOptions): object {
  const { tempo, jaeger, zipkin } = options.traces;
  const exporters: Record<string, object> = {
    ...(tempo === undefined ? {} : { 'otlp/tempo': { endpoint: tempo, tls: { insecure: true } } }),
    ...(jaeger === undefined ? {} : { 'otlp/jaeger': { endpoint: jaeger, tls: { insecure: true } } }),
    ...(zipkin === undefined ? {} : { zipkin: { endpoint: zipkin } }),
  };
  return {
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${COLLECTOR_PORTS.grpc}` },
          http: { endpoint: `0.0.0.0:${COLLECTOR_PORTS.http}` },
        },
      },
    },
    processors: {
      // Refuses data (the services retry: the exporter treats it as transient) before the
      // Collector runs out of memory; checked every second, 80 % of the container's limit.
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 25 },
      batch: { send_batch_size: 8192, timeout: '200ms' },
    },
    exporters,
    extensions: { health_check: { endpoint: `0.0.0.0:${COLLECTOR_PORTS.health}` } },
    service: {
      extensions: ['health_check'],
      pipelines: {
        traces: {
          receivers: ['otlp'],
          processors: ['memory_limiter', 'batch'],
          exporters: Object.keys(exporters),
        },
      },
    },
  };
}
