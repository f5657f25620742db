import type { Context, Link } from '@opentelemetry/api';
import {
  SamplingDecision,
  TracerProvider,
  type IdGenerator,
  type ReadableSpan,
  type Sampler,
  type SamplingResult,
  type Span,
  type SpanProcessor,
  type TimedEvent,
} from '@opentelemetry/sdk-trace';
import type { Resource } from '@opentelemetry/resources';
import { replayCapturedSpan, type CapturedSpan } from './captured-span.js';
import type { ResolvedSpanLimits } from '../span-limits.js';

/**
 * The captured span being replayed: its ids (and trace state) for the SDK tracer, which asks its
 * id generator for a span id, and for a trace id when the span has no valid parent; and what it
 * dropped under the span limits, added to the exported span at its end.
 */
class Replay implements IdGenerator, Sampler {
  current: CapturedSpan | undefined;

  generateTraceId(): string {
    return this.current!.spanContext().traceId;
  }

  generateSpanId(): string {
    return this.current!.spanContext().spanId;
  }

  /** Samples the replayed span, with the trace state its capture had. */
  shouldSample(): SamplingResult {
    const traceState = this.current?.spanContext().traceState;
    return traceState === undefined
      ? { decision: SamplingDecision.RECORD_AND_SAMPLED }
      : { decision: SamplingDecision.RECORD_AND_SAMPLED, traceState };
  }

  toString(): string {
    return 'ReplaySampler';
  }
}

/**
 * Hands each replayed span to the export processor with what its capture dropped under the span
 * limits added to the span's counts (attributes, events, links, and the attributes of each event
 * and link): the SDK span it was replayed onto received only what the limits let the capture keep.
 */
class ReplayExportProcessor implements SpanProcessor {
  constructor(
    private readonly replay: Replay,
    private readonly exportProcessor: SpanProcessor,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    this.exportProcessor.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const captured = this.replay.current;
    this.exportProcessor.onEnd(captured === undefined ? span : withCapturedDrops(span, captured));
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** The export processor is the service provider's: it is shut down there. */
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * `span` (the SDK span a captured span was replayed onto) with the drop counts of `captured`
 * added; `span` itself when the capture dropped nothing. A ReadableSpan of its own, read through
 * the interface only.
 */
function withCapturedDrops(span: ReadableSpan, captured: CapturedSpan): ReadableSpan {
  const { droppedAttributesCount, droppedEventsCount, droppedLinksCount } = captured;
  const { events: capturedEvents, links: capturedLinks } = captured.state;
  const eventDrops = capturedEvents.some((e) => 'droppedAttributesCount' in e && e.droppedAttributesCount > 0);
  const linkDrops = capturedLinks.some((l) => (l.droppedAttributesCount ?? 0) > 0);
  if (droppedAttributesCount + droppedEventsCount + droppedLinksCount === 0 && !eventDrops && !linkDrops) return span;
  // The SDK span holds the captured events and links in the same order (all within the limits).
  const events: TimedEvent[] =
    eventDrops && span.events.length === capturedEvents.length
      ? span.events.map((event, i) => {
          const from = capturedEvents[i]!;
          const extra = 'droppedAttributesCount' in from ? from.droppedAttributesCount : 0;
          return extra === 0
            ? event
            : { ...event, droppedAttributesCount: (event.droppedAttributesCount ?? 0) + extra };
        })
      : span.events;
  const links: Link[] =
    linkDrops && span.links.length === capturedLinks.length
      ? span.links.map((link, i) => {
          const extra = capturedLinks[i]!.droppedAttributesCount ?? 0;
          return extra === 0 ? link : { ...link, droppedAttributesCount: (link.droppedAttributesCount ?? 0) + extra };
        })
      : span.links;
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: span.attributes,
    links,
    events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount + droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount + droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount + droppedLinksCount,
  };
}

/**
 * The provider captured spans are replayed through once their trace is kept (error capture): the
 * same `resource`, `spanLimits` and export processor as the service's provider (shared, so this
 * provider is never shut down itself), a sampler that samples and an id generator that reuses
 * the captured ids. The tenant span processor is not among its processors: a captured span set
 * its tenant attribute at start, as that processor would have. `beforeExport` run first (the
 * URL credentials redaction, in `onEnding`). Returns the provider and the
 * function that exports one captured span.
 */
export function createReplayProvider(
  resource: Resource,
  spanLimits: ResolvedSpanLimits,
  exportProcessor: SpanProcessor,
  beforeExport: readonly SpanProcessor[] = [],
): { provider: TracerProvider; exportCaptured: (span: CapturedSpan) => void } {
  const replay = new Replay();
  const provider = new TracerProvider({
    resource,
    spanLimits,
    sampler: replay,
    idGenerator: replay,
    spanProcessors: [...beforeExport, new ReplayExportProcessor(replay, exportProcessor)],
  });
  return {
    provider,
    exportCaptured(span: CapturedSpan): void {
      replay.current = span;
      try {
        replayCapturedSpan(span);
      } finally {
        replay.current = undefined;
      }
    },
  };
}
