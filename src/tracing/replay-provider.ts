import type { SpanContext } from '@opentelemetry/api';
import {
  SamplingDecision,
  TracerProvider,
  type IdGenerator,
  type Sampler,
  type SamplingResult,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { Resource } from '@opentelemetry/resources';
import { replayCapturedSpan, type CapturedSpan } from './captured-span.js';

/**
 * Hands out the ids (and trace state) of the captured span being replayed: the SDK tracer asks
 * its id generator for a span id, and for a trace id when the span has no valid parent.
 */
class ReplayIds implements IdGenerator, Sampler {
  private current: SpanContext | undefined;

  set(spanContext: SpanContext): void {
    this.current = spanContext;
  }

  generateTraceId(): string {
    return this.current!.traceId;
  }

  generateSpanId(): string {
    return this.current!.spanId;
  }

  /** Samples the replayed span, with the trace state its capture had. */
  shouldSample(): SamplingResult {
    const traceState = this.current?.traceState;
    return traceState === undefined
      ? { decision: SamplingDecision.RECORD_AND_SAMPLED }
      : { decision: SamplingDecision.RECORD_AND_SAMPLED, traceState };
  }

  toString(): string {
    return 'ReplaySampler';
  }
}

/**
 * The provider captured spans are replayed through once their trace is kept (error capture): the
 * same `resource` and `spanProcessors` as the service's provider (the tenant attribute and the
 * export pipeline, shared, so this provider is never shut down itself), a sampler that samples
 * and an id generator that reuses the captured ids. Returns the provider and the function that
 * exports one captured span.
 */
export function createReplayProvider(
  resource: Resource,
  spanProcessors: SpanProcessor[],
): { provider: TracerProvider; exportCaptured: (span: CapturedSpan) => void } {
  const ids = new ReplayIds();
  const provider = new TracerProvider({ resource, sampler: ids, idGenerator: ids, spanProcessors });
  return {
    provider,
    exportCaptured(span: CapturedSpan): void {
      ids.set(span.spanContext());
      replayCapturedSpan(span);
    },
  };
}
