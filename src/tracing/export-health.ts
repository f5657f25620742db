import type { Logger } from 'pino';
import { warn } from '../warnings.js';

/** Why spans were lost on their way to the collector. */
export type DropReason = 'export_failed' | 'queue_full' | 'capture_trace_evicted' | 'capture_trace_full';

/**
 * Why an export failed, for the `reason` label of `grey_observability_spans_failed_total`:
 * `timeout` (no answer within `exporter.timeout_ms`), `unavailable` (connection refused, reset,
 * DNS, gRPC UNAVAILABLE), `rejected` (the collector answered with an error status), `shutdown`
 * (abandoned when shutdown's budget was spent), `other`.
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

/** Counts of spans lost since start, by reason; see {@link ExportHealth}. */
export interface ExportHealthCounts {
  /** Spans handed to the collector and acknowledged. */
  exported: number;
  /** Spans lost because an export failed (collector down, refusing, slow, 5xx). */
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

/** All-zero counts. */
export function zeroExportHealthCounts(): ExportHealthCounts {
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
 * module (`OBS_WARN_EXPORT_FAILED`, `OBS_WARN_SPANS_DROPPED`: rate-limited, outside the user's
 * trace and tenant context) so that a collector outage never floods the service's log; totals are
 * logged again at shutdown. Never throws.
 */
export class ExportHealth {
  private readonly counts: ExportHealthCounts = zeroExportHealthCounts();

  constructor(private readonly logger: Pick<Logger, 'warn'>) {}

  /** Records `count` spans acknowledged by the collector. */
  exported(count: number): void {
    this.counts.exported += count;
  }

  /** Records `count` spans lost for `reason`; the first loss of its kind is logged. */
  dropped(reason: DropReason, count: number, error?: unknown): void {
    this.counts[reason] += count;
    if (reason === 'export_failed') {
      const why = exportFailureReason(error);
      this.counts.export_failed_by_reason[why] += count;
      warn(this.logger, 'OBS_WARN_EXPORT_FAILED', 'export', {
        message:
          'OTLP span export failed; the spans were dropped and are counted in grey_observability_spans_failed_total',
        fields: { spans: count, reason: why, err: describeError(error) },
      });
      return;
    }
    warn(this.logger, 'OBS_WARN_SPANS_DROPPED', reason, {
      message:
        'spans were dropped because a bounded buffer was full; they are counted in grey_observability_spans_dropped_total',
      fields: { reason, spans: count },
    });
  }

  /** A copy of the counts since start. */
  snapshot(): ExportHealthCounts {
    return { ...this.counts, export_failed_by_reason: { ...this.counts.export_failed_by_reason } };
  }

  /** Total spans lost, all reasons together. */
  totalDropped(): number {
    const c = this.counts;
    return c.export_failed + c.queue_full + c.capture_trace_evicted + c.capture_trace_full;
  }

  /** Logs the totals once more when anything was lost (called at shutdown). */
  logSummary(): void {
    if (this.totalDropped() === 0) return;
    warn(this.logger, 'OBS_WARN_SPANS_DROPPED', 'summary', {
      message: 'spans dropped while tracing was running',
      fields: { ...this.counts },
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
      if (code === GRPC_CANCELLED) return 'shutdown';
      if (code > 0) return 'rejected';
    }
    if (typeof message === 'string' && /time(d)? ?out|deadline/i.test(message)) return 'timeout';
    return 'other';
  } catch {
    return 'other';
  }
}
