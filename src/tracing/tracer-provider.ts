import type { TracerProvider as ApiTracerProvider } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { ObservabilityConfig } from '../config/types.js';
import { CaptureTracerProvider } from './error-capture/capture-tracer.js';
import { ErrorCapture } from './error-capture/error-capture.js';
import type { ExportHealth } from './export-health.js';
import { CountingBatchSpanProcessor } from './export-pipeline.js';
import { createSpanExporter, type ExporterModules } from './exporter.js';
import { withIsolatedOtelEnv } from './isolated-env.js';
import { createReplayProvider } from './error-capture/replay-provider.js';
import { buildSampler } from './samplers/build-sampler.js';
import { buildSpanLimits } from './span-limits.js';
import { TenantSpanProcessor } from './tenant-span-processor.js';
import { UrlCredentialsSpanProcessor } from './span-url-credentials.js';
import { secretNameMatcherFor } from '../secrets/index.js';

/**
 * Builds the SDK tracer provider of `config.opentelemetry`: `resource` (detected by
 * detectResource()), head sampler (with the
 * always-sample rules), span limits (`opentelemetry.limits`: the same for the SDK's spans, the
 * captured spans of error capture and their replay), the tenant attribute processor, the URL
 * credentials redaction (span-url-credentials.ts, also on replayed spans), the
 * service's own `spanProcessors` (initObservability's option), and the export path (the bounded batch
 * processor and the OTLP exporter of `exporterModules`). This is what `NodeSDK.start()` of
 * `@opentelemetry/sdk-node` builds for traces, without that package's import of every log and
 * metric exporter (docs/performance.md). Not registered globally: `global` is the provider to
 * register, the SDK provider itself or, while error capture runs, a {@link CaptureTracerProvider}
 * around it whose tracers hand out captured spans for dropped ones (see error-capture/error-capture.ts).
 *
 * Loaded by startTracing() only when tracing is enabled, so importing the package does not load
 * the SDK. `drainExports` makes retryable export failures final when shutdown begins;
 * `abortExports` abandons the exports still in flight once shutdown's budget is spent.
 */
export function createTracerProvider(
  config: ObservabilityConfig,
  exporterModules: ExporterModules,
  health: ExportHealth,
  resource: Resource,
  spanProcessors: readonly SpanProcessor[] = [],
): {
  provider: TracerProvider;
  global: ApiTracerProvider;
  drainExports: () => void;
  abortExports: () => void;
} {
  const otel = config.opentelemetry;
  const { sampler, errorCapture } = buildSampler(otel.sampling);
  const spanLimits = buildSpanLimits(otel.limits);
  return withIsolatedOtelEnv(() => {
    const { exporter, drain, abort } = createSpanExporter(otel.exporter, exporterModules);
    const batch = new CountingBatchSpanProcessor(exporter, otel.batch, otel.exporter.timeout_ms, health);
    const tenant = new TenantSpanProcessor();
    const urlCredentials = new UrlCredentialsSpanProcessor(secretNameMatcherFor(config));
    if (!errorCapture) {
      const provider = new TracerProvider({
        resource,
        sampler,
        spanLimits,
        spanProcessors: [tenant, urlCredentials, ...spanProcessors, batch],
      });
      return { provider, global: provider, drainExports: drain, abortExports: abort };
    }
    const replay = createReplayProvider(resource, spanLimits, batch, [urlCredentials]);
    const capture = new ErrorCapture(otel.sampling.error_capture, spanLimits, health, replay.exportCaptured);
    const provider = new TracerProvider({
      resource,
      sampler,
      spanLimits,
      spanProcessors: [tenant, urlCredentials, ...spanProcessors, batch, capture],
    });
    return {
      provider,
      global: new CaptureTracerProvider(provider, replay.provider, capture),
      drainExports: drain,
      abortExports: abort,
    };
  });
}
