import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';

/** The answer for a dropped span that carries no sampler attributes nor trace state (the usual case). */
const RECORD_ONLY: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD });

/**
 * Turns the wrapped sampler's "drop" (NOT_RECORD) into "record only" (RECORD): the span is a real,
 * recording span, but it is not sampled (its trace flags say so downstream) and the batch
 * processor ignores it. The error-capture processor buffers such spans per trace and exports them
 * only when one of them ends in error. Used only when error capture is on; without it dropped
 * spans stay non-recording and cost nothing extra.
 */
export class RecordDroppedSampler implements Sampler {
  constructor(private readonly delegate: Sampler) {}

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const result = this.delegate.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    if (result.decision !== SamplingDecision.NOT_RECORD) return result;
    if (result.attributes === undefined && result.traceState === undefined) return RECORD_ONLY;
    return { ...result, decision: SamplingDecision.RECORD };
  }

  toString(): string {
    return `RecordDroppedSampler{${this.delegate.toString()}}`;
  }
}
