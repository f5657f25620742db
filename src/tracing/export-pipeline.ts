import { TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { ObservabilityConfig } from '../config/types.js';
import type { ExportHealth } from './export-health.js';
import type { OtlpSpanExporter, SpanExportResult } from './otlp-span-exporter.js';

/**
 * Wraps the OTLP exporter to count what the collector acknowledged, what it rejected (OTLP partial
 * success: those spans are failed with reason `rejected`, the rest exported) and what was lost. An
 * exporter that throws is turned into a failed export: nothing reaches the service's code path.
 */
class CountingSpanExporter implements SpanExporter {
  /** Spans handed to the inner exporter so far (they have left the batch queue). */
  handedOver = 0;
  private inFlight = 0;
  private idle: Array<() => void> = [];
  private shutdownOnce: Promise<void> | undefined;

  constructor(
    private readonly inner: OtlpSpanExporter,
    private readonly health: ExportHealth,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const count = spans.length;
    this.handedOver += count;
    this.inFlight++;
    let settled = false;
    const settle = (result: SpanExportResult) => {
      if (settled) return;
      settled = true;
      if (result.code === ExportResultCode.SUCCESS) {
        const rejected = Math.min(result.rejectedSpans, count);
        this.health.exported(count - rejected);
        if (rejected > 0 || result.rejectionMessage !== undefined)
          this.health.rejected(rejected, result.rejectionMessage);
      } else this.health.exportFailed(count, result.error);
      if (--this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
      resultCallback(result);
    };
    try {
      this.inner.export(spans, settle);
    } catch (err) {
      settle({
        code: ExportResultCode.FAILED,
        error: err instanceof Error ? err : new Error(String(err)),
        rejectedSpans: 0,
      });
    }
  }

  /** Waits for the exports in flight to report (each is bounded by the exporter's timeout), then shuts the exporter down. Idempotent. */
  shutdown(): Promise<void> {
    this.shutdownOnce ??= this.whenIdle().then(() => this.inner.shutdown());
    return this.shutdownOnce;
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  private whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}

/**
 * The SDK's BatchSpanProcessor with the `opentelemetry.batch.*` limits, plus the count of spans it
 * drops when its queue is full (the SDK drops them with only a debug message). The queue length
 * is mirrored as "spans accepted minus spans handed to the exporter", which is exactly the SDK
 * queue's length because the SDK removes spans from its queue when it hands them over. Every span
 * it accepts is booked with the health (see ExportHealth.abandonOutstanding) until its export ends.
 */
export class CountingBatchSpanProcessor implements SpanProcessor {
  private readonly batch: BatchSpanProcessor;
  private readonly exporter: CountingSpanExporter;
  private readonly maxQueueSize: number;
  private accepted = 0;
  private closed = false;

  constructor(
    exporter: OtlpSpanExporter,
    batch: ObservabilityConfig['opentelemetry']['batch'],
    exportTimeoutMs: number,
    private readonly health: ExportHealth,
  ) {
    this.exporter = new CountingSpanExporter(exporter, health);
    this.maxQueueSize = batch.max_queue_size;
    this.batch = new BatchSpanProcessor({
      exporter: this.exporter,
      maxQueueSize: batch.max_queue_size,
      maxExportBatchSize: Math.min(batch.max_export_batch_size, batch.max_queue_size),
      scheduledDelayMillis: batch.scheduled_delay_ms,
      exportTimeoutMillis: exportTimeoutMs,
    });
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.closed || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.accepted - this.exporter.handedOver >= this.maxQueueSize) {
      this.health.dropped('queue_full', 1);
      return;
    }
    this.accepted++;
    this.health.accepted(1);
    this.batch.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush();
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    try {
      await this.batch.shutdown();
    } catch {
      // The last flush failed or timed out: already counted as export_failed by the exporter.
    }
    // The SDK skips the exporter's shutdown when the last flush failed; ours is idempotent.
    await this.exporter.shutdown();
  }
}
