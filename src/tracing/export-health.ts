import type { Logger } from 'pino';
import { warn } from '../warnings.js';

/** Why spans were lost on their way to the collector. */
export type DropReason = 'export_failed' | BufferDropReason;

/**
 * Why an export failed, for the `reason` label of `grey_observability_spans_failed_total`:
 * `timeout` (no answer within `exporter.timeout_ms`), `unavailable` (connection refused, reset,
 * DNS, gRPC UNAVAILABLE), `rejected` (the collector answered with an error status, or rejected
 * spans of an export it acknowledged: OTLP partial success), `shutdown` (still in flight or in the
 * export queue when shutdown's budget was spent), `other`.
 */
export type ExportFailureReason = 'timeout' | 'unavailable' | 'rejected' | 'shutdown' | 'other';

/** Every {@link ExportFailureReason}, in label order. */
export const EXPORT_FAILURE_REASONS: readonly ExportFailureReason[] = [
  'timeout',
  'unavailable',
  'rejected',
  'shutdown',
  'other',
];

/**
 * What the package has lost or delivered so far: the same counts as the `grey_observability_spans_*`
 * self-metrics on `/metrics` (src/tracing/export-metrics.ts), for a health endpoint or a test (all
 * zero while tracing is off). The one shape: tracing returns it, the handle's `health()` passes it
 * on, the self-metrics read it.
 */
export interface ObservabilityHealth {
  spans: {
    /** Spans the collector acknowledged. */
    exported: number;
    /** Spans lost because their export failed, by reason. */
    failed: Record<ExportFailureReason, number>;
    /** Finished spans dropped before export because a bounded buffer was full, by reason. */
    dropped: Record<BufferDropReason, number>;
  };
}

/**
 * Why a finished span was dropped before any export, for the `reason` label of
 * `grey_observability_spans_dropped_total`: the bounded buffer that was full: `queue_full` (the
 * export queue, `opentelemetry.batch.max_queue_size`), `capture_trace_evicted` (error capture held
 * `max_traces` traces), `capture_trace_full` (one trace reached `max_spans_per_trace`).
 */
export type BufferDropReason = 'queue_full' | 'capture_trace_evicted' | 'capture_trace_full';

/** Every {@link BufferDropReason}, in label order. */
export const BUFFER_DROP_REASONS: readonly BufferDropReason[] = [
  'queue_full',
  'capture_trace_evicted',
  'capture_trace_full',
];

/** A health with every count at 0 (tracing off). */
export function zeroHealth(): ObservabilityHealth {
  return healthOf(zeroExportHealthCounts());
}

/** The running counts of {@link ExportHealth}, as its summary line writes them. */
interface ExportHealthCounts {
  /** Spans handed to the collector and acknowledged. */
  exported: number;
  /**
   * Spans lost on the way to the collector: the export failed (collector down, refusing, slow,
   * 5xx), the collector rejected them (partial success), or shutdown abandoned them.
   */
  export_failed: number;
  /** Finished spans lost because the export queue (`opentelemetry.batch.max_queue_size`) was full. */
  queue_full: number;
  /** Buffered spans of error-capture traces evicted because `max_traces` traces were buffered. */
  capture_trace_evicted: number;
  /** Spans of one error-capture trace beyond `max_spans_per_trace`. */
  capture_trace_full: number;
  /** `export_failed` split by why the export failed. */
  export_failed_by_reason: Record<ExportFailureReason, number>;
}

function zeroExportHealthCounts(): ExportHealthCounts {
  return {
    exported: 0,
    export_failed: 0,
    queue_full: 0,
    capture_trace_evicted: 0,
    capture_trace_full: 0,
    export_failed_by_reason: { timeout: 0, unavailable: 0, rejected: 0, shutdown: 0, other: 0 },
  };
}

/**
 * The export side's own health: counts exported and lost spans (exposed as the
 * `grey_observability_spans_*` self-metrics and `handle.health()`) and warns through the warnings
 * module (`OBS_WARN_EXPORT_FAILED`, `OBS_WARN_SPANS_REJECTED`, `OBS_WARN_SPANS_DROPPED`:
 * rate-limited, outside the user's trace and tenant context) so that a collector outage never
 * floods the service's log; totals are logged again at shutdown. Never throws.
 *
 * It also keeps the books of the export queue: every span {@link accepted} into it ends as
 * exported or failed when its export ends, and {@link abandonOutstanding} counts those still
 * outstanding when shutdown gives up on them (in flight, in the batch queue) as failed with reason
 * `shutdown`, at once, so that when shutdown() resolves the spans handed to the export side add
 * up: accepted = exported + failed (all reasons), and every span the service ended =
 * exported + failed + dropped.
 */
export class ExportHealth {
  private readonly counts: ExportHealthCounts = zeroExportHealthCounts();
  /** Spans accepted into the export queue, and how many of them have an outcome. */
  private acceptedSpans = 0;
  private settledSpans = 0;
  /** Set by abandonOutstanding(): later outcomes were already counted as `shutdown`. */
  private closed = false;

  constructor(private readonly logger: Pick<Logger, 'warn'>) {}

  /** Records `count` spans accepted into the export queue (each later settles, or is abandoned). */
  accepted(count: number): void {
    this.acceptedSpans += count;
  }

  /** Records `count` accepted spans acknowledged by the collector. */
  exported(count: number): void {
    if (this.settle(count)) this.counts.exported += count;
  }

  /** Records `count` accepted spans lost because their export failed with `error`; logged (rate-limited). */
  exportFailed(count: number, error: unknown): void {
    if (this.settle(count)) this.countFailure(count, exportFailureReason(error), error);
  }

  /**
   * Records `count` accepted spans that the collector rejected in an export it acknowledged (OTLP
   * partial success, `rejected_spans`) as failed with reason `rejected`, and warns with the
   * collector's `message` (`error_message`; with `count` 0 it is the collector's warning).
   */
  rejected(count: number, message: string | undefined): void {
    if (!this.settle(count)) return;
    this.counts.export_failed += count;
    this.counts.export_failed_by_reason.rejected += count;
    warn(this.logger, 'OBS_WARN_SPANS_REJECTED', 'export', {
      message:
        count > 0
          ? 'the collector rejected spans of an export (OTLP partial success); they are counted in grey_observability_spans_failed_total{reason="rejected"}'
          : 'the collector accepted an export with a warning (OTLP partial success)',
      fields: { rejected_spans: count, error_message: message ?? '' },
    });
  }

  /**
   * Records `count` spans lost for `reason` before they reached the export queue; the first loss
   * of its kind is logged. `export_failed`: a span that could not be handed to the export at all.
   */
  dropped(reason: DropReason, count: number, error?: unknown): void {
    if (reason === 'export_failed') {
      this.countFailure(count, exportFailureReason(error), error);
      return;
    }
    this.counts[reason] += count;
    warn(this.logger, 'OBS_WARN_SPANS_DROPPED', reason, {
      message:
        'spans were dropped because a bounded buffer was full; they are counted in grey_observability_spans_dropped_total',
      fields: { reason, spans: count },
    });
  }

  /**
   * Shutdown gave up: counts every accepted span without an outcome yet as failed with reason
   * `shutdown`, and ignores the outcomes that still come in for them. Returns that count.
   */
  abandonOutstanding(): number {
    if (this.closed) return 0;
    this.closed = true;
    const outstanding = Math.max(0, this.acceptedSpans - this.settledSpans);
    this.settledSpans += outstanding;
    if (outstanding > 0) {
      this.counts.export_failed += outstanding;
      this.counts.export_failed_by_reason.shutdown += outstanding;
    }
    return outstanding;
  }

  /** The counts since start, as {@link ObservabilityHealth} (a copy). */
  health(): ObservabilityHealth {
    return healthOf(this.counts);
  }

  /** Total spans lost, all reasons together. */
  totalDropped(): number {
    const c = this.counts;
    return c.export_failed + c.queue_full + c.capture_trace_evicted + c.capture_trace_full;
  }

  /** Logs the totals once more when anything was lost (called at shutdown, after abandonOutstanding()). */
  logSummary(): void {
    if (this.totalDropped() === 0) return;
    warn(this.logger, 'OBS_WARN_SPANS_DROPPED', 'summary', {
      message: 'spans dropped while tracing was running',
      fields: { ...this.counts, export_failed_by_reason: { ...this.counts.export_failed_by_reason } },
    });
  }

  /** True when the outcome of `count` accepted spans is to be counted (not after abandonOutstanding()). */
  private settle(count: number): boolean {
    if (this.closed) return false;
    this.settledSpans += count;
    return true;
  }

  private countFailure(count: number, why: ExportFailureReason, error: unknown): void {
    this.counts.export_failed += count;
    this.counts.export_failed_by_reason[why] += count;
    warn(this.logger, 'OBS_WARN_EXPORT_FAILED', 'export', {
      message:
        'OTLP span export failed; the spans were dropped and are counted in grey_observability_spans_failed_total',
      fields: { spans: count, reason: why, err: describeError(error) },
    });
  }
}

function describeError(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Network errors that mean the collector cannot be reached now (it may be restarting): the
 * transport retries them, and a failure of this kind is counted with reason `unavailable`.
 */
export const COLLECTOR_UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);
/** gRPC status codes (grpc/status.h). */
const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

/** Classifies the error of a failed export; never throws. */
export function exportFailureReason(error: unknown): ExportFailureReason {
  try {
    if (typeof error !== 'object' || error === null) return 'other';
    const { reason, code, message } = error as { reason?: unknown; code?: unknown; message?: unknown };
    if (reason === 'timeout' || reason === 'shutdown') return reason;
    if (typeof code === 'string' && COLLECTOR_UNREACHABLE_CODES.has(code)) return 'unavailable';
    if (typeof code === 'number') {
      // OTLPExporterError carries the HTTP status (>= 100) or the gRPC status code.
      if (code >= 100) return 'rejected';
      if (code === GRPC_DEADLINE_EXCEEDED) return 'timeout';
      if (code === GRPC_UNAVAILABLE) return 'unavailable';
      // Cancelled by the server (a call this side cancels at shutdown ends as ExportAbortedError).
      if (code === GRPC_CANCELLED) return 'other';
      if (code > 0) return 'rejected';
    }
    if (typeof message === 'string' && /time(d)? ?out|deadline/i.test(message)) return 'timeout';
    return 'other';
  } catch {
    return 'other';
  }
}

function healthOf(counts: ExportHealthCounts): ObservabilityHealth {
  return {
    spans: {
      exported: counts.exported,
      failed: { ...counts.export_failed_by_reason },
      dropped: {
        queue_full: counts.queue_full,
        capture_trace_evicted: counts.capture_trace_evicted,
        capture_trace_full: counts.capture_trace_full,
      },
    },
  };
}
