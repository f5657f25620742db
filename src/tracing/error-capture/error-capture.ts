/**
 * Error capture (`opentelemetry.sampling.error_capture`): keeps the local part of a trace that
 * the head sampler dropped when one of its spans fails, and exports it after all. The files of
 * this folder: this buffer of dropped traces (what a span processor sees of them), the tracer
 * that hands out cheap captured spans for dropped traces (capture-tracer.ts), the captured span
 * itself (captured-span.ts), and the provider that replays a kept trace onto sampled SDK spans
 * (replay-provider.ts).
 *
 * The alternative, for a deployment with an OpenTelemetry Collector: sample every span in the
 * service (`always_on`) and let the Collector's tail sampling processor (`tail_sampling`, with a
 * `status_code` policy) keep the failing traces. It sees whole traces across services, where this
 * sees one process's part, but every span then crosses the network and the Collector holds
 * whole traces in memory for its decision wait.
 */
import { TraceFlags, trace as traceApi, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { ObservabilityConfig } from '../../config/types.js';
import { CapturedSpan, type CapturedSpanSink, type CapturedTrace } from './captured-span.js';
import type { ExportHealth } from '../export-health.js';
import type { ResolvedSpanLimits } from '../span-limits.js';

type CaptureLimits = ObservabilityConfig['opentelemetry']['sampling']['error_capture'];

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
 * With error capture on, spans of dropped traces are {@link CapturedSpan}s (see CaptureTracer):
 * recording, not sampled, and cheap, since they only write down what is done to them. This
 * bookkeeping holds the ended ones per trace id until the trace's local root ends: if nothing
 * went wrong they are discarded, otherwise they and every later span of the trace are handed to
 * `exportSpan`, which replays each onto a sampled SDK span of the export pipeline. Memory is
 * bounded: at most `max_traces` traces (the oldest is evicted), `max_spans_per_trace` spans per
 * trace and `max_buffered_spans` spans in all; what does not fit is dropped and counted. Each
 * captured span holds at most what the span limits (`opentelemetry.limits`, {@link spanLimits})
 * let an SDK span hold: attributes, events, links and their attributes.
 *
 * It is also a span processor of the SDK provider, for one thing: a sampled SDK span that ends
 * inside a dropped trace (a rule sampled it) releases that trace.
 */
export class ErrorCapture implements SpanProcessor, CapturedSpanSink {
  private readonly traces = new Map<string, CapturedTrace>();
  private readonly maxTraces: number;
  private readonly maxSpansPerTrace: number;
  private readonly maxBufferedSpans: number;
  private bufferedSpans = 0;
  /** Entries of `traces` that are closed (ended traces not yet swept). */
  private closedTraces = 0;
  /** False after shutdown: spans are no longer captured. */
  private running = true;

  constructor(
    limits: CaptureLimits,
    /** The span limits of every span of the provider, applied to each captured span as it records. */
    readonly spanLimits: ResolvedSpanLimits,
    private readonly health: ExportHealth,
    /** Exports one captured span (replays it onto a sampled SDK span). */
    private readonly exportSpan: (span: CapturedSpan) => void,
  ) {
    this.maxTraces = limits.max_traces;
    this.maxSpansPerTrace = limits.max_spans_per_trace;
    this.maxBufferedSpans = limits.max_buffered_spans;
  }

  /** True until shutdown: dropped spans are to be captured. */
  get active(): boolean {
    return this.running;
  }

  /** Number of spans buffered right now across all dropped traces. */
  get bufferedSpanCount(): number {
    return this.bufferedSpans;
  }

  /** Number of dropped traces buffered right now (for tests and diagnostics). */
  get bufferedTraces(): number {
    return this.traces.size - this.closedTraces;
  }

  /**
   * A captured span started (called by CaptureTracer); returns it. A child of a captured span joins
   * its parent's trace record; a root without a parent gets a fresh record that stays out of the
   * map until it has to hold a span (most dropped traces end without ever being looked up); a root
   * under another parent (remote, or a span outside the capture) is listed at once, so that other
   * local roots of the same trace share its record.
   */
  started(span: CapturedSpan): CapturedSpan {
    const parent = span.parentSpan;
    if (parent instanceof CapturedSpan) {
      span.capturedTrace = parent.capturedTrace;
      return span;
    }
    if (parent === undefined) {
      span.capturedTrace = { spans: undefined, openRoots: 1, keep: false, closed: false, listed: false };
      return span;
    }
    const traceId = span.spanContext().traceId;
    const listed = this.traces.get(traceId);
    if (listed !== undefined && !listed.closed) {
      listed.openRoots++;
      span.capturedTrace = listed;
      return span;
    }
    span.capturedTrace = this.list(traceId, {
      spans: undefined,
      openRoots: 1,
      keep: false,
      closed: false,
      listed: false,
    });
    return span;
  }

  /** A captured span ended. */
  ended(span: CapturedSpan): void {
    const trace = span.capturedTrace;
    if (trace === undefined || !this.running) return;
    if (trace.closed) {
      // A span that ends after its trace's local root (work the root did not wait for): exported
      // when the trace was kept, as it would have been sampled; else there is nothing to keep it for.
      if (trace.keep) this.exportOne(span);
      return;
    }
    const lastRoot = span.isLocalRoot && --trace.openRoots <= 0;
    if (trace.keep) {
      this.exportOne(span);
    } else if (span.endedInError) {
      this.release(trace);
      this.exportOne(span);
    } else if (lastRoot) {
      // The trace ends here without error: its buffer is discarded, so this span is not buffered.
    } else if ((trace.spans?.length ?? 0) < this.maxSpansPerTrace && this.bufferedSpans < this.maxBufferedSpans) {
      if (!trace.listed) this.list(span.spanContext().traceId, trace);
      if (!trace.closed) {
        (trace.spans ??= []).push(span);
        this.bufferedSpans++;
      }
    } else {
      this.health.dropped('capture_trace_full', 1);
    }
    if (lastRoot) this.forget(trace);
  }

  /**
   * An SDK span started: when its parent is a captured span (an always-sample rule sampled it
   * inside a dropped trace), that trace is listed so that the span's end can release it.
   */
  onStart(span: Span, parentContext: Context): void {
    const parent = traceApi.getSpan(parentContext);
    if (!(parent instanceof CapturedSpan)) return;
    const trace = parent.capturedTrace;
    if (trace !== undefined && !trace.listed && !trace.closed) this.list(span.spanContext().traceId, trace);
  }

  /** A sampled SDK span: when a rule sampled it inside a dropped trace, that trace is kept. */
  onEnd(span: ReadableSpan): void {
    if (this.traces.size === 0) return;
    const spanContext = span.spanContext();
    if ((spanContext.traceFlags & TraceFlags.SAMPLED) === 0) return;
    const trace = this.traces.get(spanContext.traceId);
    if (trace !== undefined && !trace.keep && !trace.closed) this.release(trace);
  }

  /**
   * Puts `trace` in the map under `traceId` (the newest in eviction order), evicting the oldest
   * listed trace first when `max_traces` are listed. Returns it.
   */
  private list(traceId: string, trace: CapturedTrace): CapturedTrace {
    const stale = this.traces.get(traceId);
    if (stale !== undefined) {
      // A record of an earlier part of this trace (closed, but for ids reused across records):
      // the new one replaces it, and what it still held counts as evicted.
      this.traces.delete(traceId);
      if (stale.closed) {
        this.closedTraces--;
      } else {
        stale.listed = false;
        const held = stale.spans?.length ?? 0;
        if (held > 0) this.health.dropped('capture_trace_evicted', held);
        this.forget(stale);
      }
    }
    if (this.traces.size - this.closedTraces >= this.maxTraces) this.evictOldest();
    trace.listed = true;
    this.traces.set(traceId, trace);
    return trace;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Stops capturing and drops what is buffered (the export pipeline is shut down by the provider). */
  shutdown(): Promise<void> {
    this.running = false;
    this.traces.clear();
    this.bufferedSpans = 0;
    this.closedTraces = 0;
    return Promise.resolve();
  }

  private exportOne(span: CapturedSpan): void {
    try {
      this.exportSpan(span);
    } catch {
      // Telemetry never throws into the service: the span is lost.
      this.health.dropped('export_failed', 1);
    }
  }

  private release(trace: CapturedTrace): void {
    trace.keep = true;
    const spans = trace.spans;
    if (spans === undefined) return;
    trace.spans = undefined;
    this.bufferedSpans -= spans.length;
    for (const buffered of spans) this.exportOne(buffered);
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
    if (trace.closed) return;
    trace.closed = true;
    if (!trace.listed) return;
    if (++this.closedTraces < SWEEP_AT) return;
    for (const [id, entry] of this.traces) if (entry.closed) this.traces.delete(id);
    this.closedTraces = 0;
  }
}
