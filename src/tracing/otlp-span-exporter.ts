/**
 * The package's OTLP span exporter: the SDK's protobuf serializer (ProtobufTraceSerializer of
 * @opentelemetry/otlp-transformer) over the shared retry policy (retrying-transport.ts) and one
 * transport per protocol (http-transport.ts, grpc-transport.ts).
 *
 * Why not the SDK's `OTLPExporterBase` and its export delegate: the delegate reads the
 * collector's reply only to `diag.warn` a partial success, and reports every acknowledged batch as
 * a plain SUCCESS, so a reply `partial_success { rejected_spans: 2 }` for 3 spans was counted as 3
 * exported (issue 18, item 2). This class does what the delegate did for us (serialize, send with
 * the export timeout, at most {@link CONCURRENCY_LIMIT} exports in flight, forceFlush() waits for
 * them, shutdown() waits, then closes the transport) and hands the caller the per-batch outcome:
 * an {@link SpanExportResult}, the SDK's ExportResult plus the spans the collector rejected and
 * its `error_message`. The pipeline (export-pipeline.ts) counts them; the SDK's BatchSpanProcessor
 * reads only the ExportResult part.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { IExportTraceServiceResponse, ISerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { RetryingTransport } from './retrying-transport.js';

/** Exports in flight at once (the SDK's default); an export beyond it fails at once. */
const CONCURRENCY_LIMIT = 30;
/** Longest collector `error_message` kept, in characters (the rest is cut, with an ellipsis). */
export const MAX_REJECTION_MESSAGE_LENGTH = 256;

/** How one export ended: the SDK's ExportResult, plus what an OTLP partial success said. */
export interface SpanExportResult extends ExportResult {
  /**
   * Spans of the batch the collector rejected (`partial_success.rejected_spans`, at most the batch
   * size); 0 when it accepted them all, and when the export failed (then all are lost).
   */
  rejectedSpans: number;
  /**
   * The collector's `partial_success.error_message` (cut to {@link MAX_REJECTION_MESSAGE_LENGTH}
   * characters) when it sent one; with `rejectedSpans` 0 it is a warning (OTLP specification,
   * "Partial Success").
   */
  rejectionMessage?: string;
}

/** See the module comment. */
export class OtlpSpanExporter implements SpanExporter {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly transport: RetryingTransport,
    private readonly serializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse>,
    private readonly timeoutMillis: number,
  ) {}

  /** Sends `spans` as one request; `resultCallback` is called once, never with an exception. */
  export(spans: ReadableSpan[], resultCallback: (result: SpanExportResult) => void): void {
    if (this.inFlight.size >= CONCURRENCY_LIMIT) {
      resultCallback(failed(new Error(`${CONCURRENCY_LIMIT} exports already in flight`)));
      return;
    }
    let body: Uint8Array | undefined;
    try {
      body = this.serializer.serializeRequest(spans);
    } catch (error) {
      resultCallback(failed(error));
      return;
    }
    if (body === undefined) {
      resultCallback(failed(new Error('the spans could not be serialized')));
      return;
    }
    const report = (result: SpanExportResult): void => {
      try {
        resultCallback(result);
      } catch {
        // The caller's callback failing must not turn into an unhandled rejection here.
      }
    };
    const done = this.transport.send(body, this.timeoutMillis).then(
      (response) =>
        report(response.status === 'success' ? this.accepted(response.data, spans.length) : failed(response.error)),
      (error: unknown) => report(failed(error)),
    );
    this.inFlight.add(done);
    void done.then(() => this.inFlight.delete(done));
  }

  /** Resolves when the exports in flight have ended. */
  async forceFlush(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  /** Waits for the exports in flight, then shuts the transport down. */
  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.transport.shutdown();
  }

  /** The outcome of an acknowledged export, from the collector's ExportTraceServiceResponse. */
  private accepted(reply: Uint8Array | undefined, batchSize: number): SpanExportResult {
    let partial: IExportTraceServiceResponse['partialSuccess'];
    try {
      partial =
        reply === undefined || reply.byteLength === 0
          ? undefined
          : this.serializer.deserializeResponse(reply).partialSuccess;
    } catch {
      partial = undefined; // A reply we cannot read still acknowledged the request (as the SDK takes it).
    }
    const rejected = Number(partial?.rejectedSpans ?? 0);
    const rejectedSpans = Number.isFinite(rejected) ? Math.min(Math.max(0, Math.trunc(rejected)), batchSize) : 0;
    const message = typeof partial?.errorMessage === 'string' ? partial.errorMessage : '';
    return {
      code: ExportResultCode.SUCCESS,
      rejectedSpans,
      ...(message === '' ? {} : { rejectionMessage: boundMessage(message) }),
    };
  }
}

function failed(error: unknown): SpanExportResult {
  return {
    code: ExportResultCode.FAILED,
    error: error instanceof Error ? error : new Error(String(error)),
    rejectedSpans: 0,
  };
}

function boundMessage(message: string): string {
  return message.length <= MAX_REJECTION_MESSAGE_LENGTH
    ? message
    : `${message.slice(0, MAX_REJECTION_MESSAGE_LENGTH)}…`;
}
