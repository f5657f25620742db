import { TraceFlags, isSpanContextValid, trace } from '@opentelemetry/api';

/** Exemplar labels of one observation: the active span's ids, as OpenMetrics exemplar labels. */
export interface TraceExemplar {
  trace_id: string;
  span_id: string;
}

/**
 * The exemplar for an observation made now: the trace_id and span_id of the active span when it is
 * valid and sampled (an unsampled trace cannot be looked up, so it would be a dead link), otherwise
 * undefined. Reads `trace.getActiveSpan()` of @opentelemetry/api, so it works with whatever tracer
 * provider the service registered.
 */
export function activeTraceExemplar(): TraceExemplar | undefined {
  const span = trace.getActiveSpan();
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  if ((spanContext.traceFlags & TraceFlags.SAMPLED) === 0 || !isSpanContextValid(spanContext)) return undefined;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
