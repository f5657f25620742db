/**
 * Exports spans through the package's real OTLP exporter (createSpanExporter: serializer, retry
 * policy, transport) without starting tracing, so that many cases can run at once against their
 * own receivers: no OpenTelemetry global is registered.
 */
import { TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { ObservabilityConfig } from '../../../src/config/types.js';
import { createSpanExporter, loadExporterModules } from '../../../src/tracing/exporter.js';
import type { SpanExportResult } from '../../../src/tracing/otlp-span-exporter.js';
import { tracingConfig } from '../helpers.js';

type ExporterConfig = ObservabilityConfig['opentelemetry']['exporter'];

/** `count` ended spans named `name-<i>`. */
export function endedSpans(count: number, name = 'direct'): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const capture: SpanProcessor = {
    onStart() {},
    onEnd: (span) => void ended.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const tracer = new TracerProvider({ spanProcessors: [capture] }).getTracer('direct-export');
  for (let i = 0; i < count; i++) tracer.startSpan(`${name}-${i}`).end();
  return ended;
}

/** The exporter config of `protocol` and `endpoint` (timeout 3 s) with `overrides`. */
export function exporterConfig(
  protocol: 'grpc' | 'http/protobuf',
  endpoint: string,
  overrides: Partial<ExporterConfig> = {},
): ExporterConfig {
  return { ...tracingConfig(endpoint, protocol).opentelemetry.exporter, timeout_ms: 3000, ...overrides };
}

/** Exports `spans` once through a new exporter of `config`, then shuts it down. */
export async function exportOnce(config: ExporterConfig, spans: ReadableSpan[]): Promise<SpanExportResult> {
  const modules = await loadExporterModules(config.protocol);
  const { exporter } = createSpanExporter(config, modules);
  try {
    return await new Promise<SpanExportResult>((resolve) => exporter.export(spans, resolve));
  } finally {
    await exporter.shutdown();
  }
}
