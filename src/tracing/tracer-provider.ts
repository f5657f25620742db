import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { ObservabilityConfig } from '../config/types.js';
import { ErrorCaptureSpanProcessor } from './error-capture-processor.js';
import type { ExportHealth } from './export-health.js';
import { BoundedBatchSpanProcessor } from './export-pipeline.js';
import { createSpanExporter, type ExporterModules } from './exporter.js';
import { withIsolatedOtelEnv } from './isolated-env.js';
import { buildResource } from './resource.js';
import { buildSampler } from './samplers/build-sampler.js';
import { TenantSpanProcessor } from './tenant.js';

/**
 * Builds the SDK tracer provider of `config.opentelemetry`: resource, head sampler (with the
 * always-sample rules), the tenant attribute processor and the export path (error capture, then
 * the bounded batch processor and the OTLP exporter of `exporterModules`). This is what
 * `NodeSDK.start()` of `@opentelemetry/sdk-node` builds for traces, without that package's
 * import of every log and metric exporter (docs/performance.md). Not registered globally.
 *
 * Loaded by startTracing() only when tracing is enabled, so importing the package does not load
 * the SDK. `abortExports` abandons the exports still in flight once shutdown's budget is spent.
 */
export function createTracerProvider(
  config: ObservabilityConfig,
  exporterModules: ExporterModules,
  health: ExportHealth,
): { provider: TracerProvider; abortExports: () => void } {
  const otel = config.opentelemetry;
  const { sampler, errorCapture } = buildSampler(otel.sampling);
  return withIsolatedOtelEnv(() => {
    const { exporter, abort } = createSpanExporter(otel.exporter, exporterModules);
    const batch = new BoundedBatchSpanProcessor(exporter, otel.batch, otel.exporter.timeout_ms, health);
    const exportPath: SpanProcessor = errorCapture
      ? new ErrorCaptureSpanProcessor(batch, otel.sampling.error_capture, health)
      : batch;
    const provider = new TracerProvider({
      resource: buildResource(config),
      sampler,
      spanProcessors: [new TenantSpanProcessor(), exportPath],
    });
    return { provider, abortExports: abort };
  });
}
