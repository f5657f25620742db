import { SpanStatusCode, TraceFlags, type Context, type SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { ObservabilityConfig } from '../config/types.js';
import type { ExportHealth } from './export-health.js';

type CaptureLimits = ObservabilityConfig['opentelemetry']['sampling']['error_capture'];

/** The record-only spans of one dropped trace, held until its local roots end. */
interface CapturedTrace {
  /** Buffered spans; allocated at the first span that has to wait (most traces never need it). */
  spans: ReadableSpan[] | undefined;
  /** Local roots of this trace still running in this process. */
  openRoots: number;
  /** True once the trace must be exported: its spans go straight to export from then on. */
  keep: boolean;
  /**
   * True once its last local root ended: the entry counts as gone and is deleted from the map in
   * a later sweep (see ErrorCaptureSpanProcessor.forget).
   */
  closed: boolean;
}

/**
 * Closed entries left in the map before they are deleted together. Deleting each entry as its
 * trace ends would make V8 shrink (reallocate) the map on nearly every trace when few are open,
 * the usual case (one request at a time): that reallocation was the largest part of error
 * capture's cost per dropped trace.
 */
const SWEEP_AT = 64;

/**
 * Keeps the local part of a trace that the head sampler dropped when one of its spans ends in
 * error (status ERROR, or the attribute `error=true`), or when a rule sampled one of its spans.
 *
 * With error capture on, spans of dropped traces are recording but not sampled
 * (see RecordDroppedSampler). This processor buffers them per trace id until the trace's local
 * root span ends: if nothing went wrong the buffer is discarded, otherwise the buffered spans and
 * every later span of the trace are passed to `next` (the export pipeline) marked as sampled.
 * Memory is bounded: at most `max_traces` traces (the oldest is evicted), `max_spans_per_trace`
 * spans per trace and `max_buffered_spans` spans in all; what does not fit is dropped and counted. Sampled spans pass straight through.
 */
export class ErrorCaptureSpanProcessor implements SpanProcessor {
  private readonly traces = new Map<string, CapturedTrace>();
  private readonly maxTraces: number;
  private readonly maxSpansPerTrace: number;
  private readonly maxBufferedSpans: number;
  private bufferedSpans = 0;
  /** Entries of `traces` that are closed (ended traces not yet swept). */
  private closedTraces = 0;

  constructor(
    private readonly next: SpanProcessor,
    limits: CaptureLimits,
    private readonly health: ExportHealth,
  ) {
    this.maxTraces = limits.max_traces;
    this.maxSpansPerTrace = limits.max_spans_per_trace;
    this.maxBufferedSpans = limits.max_buffered_spans;
  }

  /** Number of spans buffered right now across all dropped traces. */
  get bufferedSpanCount(): number {
    return this.bufferedSpans;
  }

  /** Number of dropped traces buffered right now (for tests and diagnostics). */
  get bufferedTraces(): number {
    return this.traces.size - this.closedTraces;
  }

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
    const spanContext = span.spanContext();
    if ((spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 || !isLocalRoot(span.parentSpanContext)) return;
    const trace = this.traces.get(spanContext.traceId);
    if (trace !== undefined && !trace.closed) {
      trace.openRoots++;
      return;
    }
    if (trace !== undefined) {
      // A new local root of a trace whose earlier roots all ended: a new entry, the newest in order.
      this.traces.delete(spanContext.traceId);
      this.closedTraces--;
    }
    if (this.traces.size - this.closedTraces >= this.maxTraces) this.evictOldest();
    this.traces.set(spanContext.traceId, { spans: undefined, openRoots: 1, keep: false, closed: false });
  }

  onEnd(span: ReadableSpan): void {
    const spanContext = span.spanContext();
    if ((spanContext.traceFlags & TraceFlags.SAMPLED) !== 0) {
      this.next.onEnd(span);
      // A rule sampled a span inside a dropped trace: keep its context too.
      if (this.traces.size !== 0) {
        const trace = this.traces.get(spanContext.traceId);
        if (trace !== undefined && !trace.keep && !trace.closed) this.release(trace);
      }
      return;
    }
    const trace = this.traces.get(spanContext.traceId);
    if (trace === undefined || trace.closed) return;
    const lastRoot = isLocalRoot(span.parentSpanContext) && --trace.openRoots <= 0;
    if (trace.keep) {
      this.next.onEnd(asSampled(span));
    } else if (endedInError(span)) {
      this.release(trace);
      this.next.onEnd(asSampled(span));
    } else if (lastRoot) {
      // The trace ends here without error: its buffer is discarded, so this span is not buffered.
    } else if ((trace.spans?.length ?? 0) < this.maxSpansPerTrace && this.bufferedSpans < this.maxBufferedSpans) {
      (trace.spans ??= []).push(span);
      this.bufferedSpans++;
    } else {
      this.health.dropped('capture_trace_full', 1);
    }
    if (lastRoot) this.forget(trace);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    this.traces.clear();
    this.bufferedSpans = 0;
    this.closedTraces = 0;
    return this.next.shutdown();
  }

  private release(trace: CapturedTrace): void {
    trace.keep = true;
    const spans = trace.spans;
    if (spans === undefined) return;
    trace.spans = undefined;
    this.bufferedSpans -= spans.length;
    for (const buffered of spans) this.next.onEnd(asSampled(buffered));
  }

  /** Evicts the oldest open trace (closed entries met on the way are deleted). */
  private evictOldest(): void {
    for (const [traceId, trace] of this.traces) {
      if (trace.closed) {
        this.traces.delete(traceId);
        this.closedTraces--;
        continue;
      }
      const buffered = trace.spans?.length ?? 0;
      if (buffered > 0) this.health.dropped('capture_trace_evicted', buffered);
      this.forget(trace);
      return;
    }
  }

  /** Drops the trace's buffer and closes its entry; closed entries are deleted SWEEP_AT at a time. */
  private forget(trace: CapturedTrace): void {
    if (trace.spans !== undefined) {
      this.bufferedSpans -= trace.spans.length;
      trace.spans = undefined;
    }
    trace.closed = true;
    if (++this.closedTraces < SWEEP_AT) return;
    for (const [id, entry] of this.traces) if (entry.closed) this.traces.delete(id);
    this.closedTraces = 0;
  }
}

/** A span with no parent, or whose parent came from another process. */
function isLocalRoot(parent: SpanContext | undefined): boolean {
  return parent === undefined || parent.isRemote === true;
}

/** Status ERROR, or the attribute `error` set to true (boolean or string). */
function endedInError(span: ReadableSpan): boolean {
  if (span.status.code === SpanStatusCode.ERROR) return true;
  const flag = span.attributes['error'];
  return flag === true || flag === 'true';
}

/**
 * A view of `span` whose span context carries the SAMPLED flag, so that the batch processor and
 * the OTLP exporter treat it like any sampled span. Everything else is read through to `span`.
 */
function asSampled(span: ReadableSpan): ReadableSpan {
  const original = span.spanContext();
  const sampled: SpanContext = { ...original, traceFlags: original.traceFlags | TraceFlags.SAMPLED };
  const view = Object.create(span) as ReadableSpan;
  Object.defineProperty(view, 'spanContext', { value: () => sampled });
  return view;
}
