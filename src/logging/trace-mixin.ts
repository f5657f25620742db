import { context, isSpanContextValid, trace, type Context } from '@opentelemetry/api';
import { currentTenant } from '../tenancy/tenant-context.js';
import { getLogFields } from './log-fields.js';

/** The fields the mixin adds to a log line (all optional). */
export interface TraceLogFields {
  trace_id?: string;
  span_id?: string;
  /** W3C trace flags as two hex digits: `01` sampled, `00` not sampled. */
  trace_flags?: string;
  tenant_id?: string;
  [field: string]: string | number | boolean | undefined;
}

const NO_FIELDS: TraceLogFields = {};

/**
 * Builds the pino `mixin` that adds `trace_id`, `span_id`, `trace_flags`, `tenant_id` and any
 * `@Instrument` log fields of the active OpenTelemetry context to each line.
 *
 * Cost: contexts are immutable, so the fields of the last context seen are kept and reused while
 * the same context is active (every line of one span, or every line outside any span). A miss
 * reads the span, the baggage and the log fields once. The returned object is shared and must not
 * be mutated: {@link mergeTraceFields} copies it.
 */
export function createTraceMixin(): () => TraceLogFields {
  let lastContext: Context | undefined;
  let lastFields: TraceLogFields = NO_FIELDS;
  return function traceMixin(): TraceLogFields {
    const active = context.active();
    if (active === lastContext) return lastFields;
    lastFields = fieldsOf(active);
    lastContext = active;
    return lastFields;
  };
}

function fieldsOf(ctx: Context): TraceLogFields {
  const spanContext = trace.getSpanContext(ctx);
  const tenant = currentTenant(ctx);
  const extra = getLogFields(ctx);
  const hasSpan = spanContext !== undefined && isSpanContextValid(spanContext);
  if (!hasSpan && tenant === undefined && extra === undefined) return NO_FIELDS;
  const fields: TraceLogFields = {};
  if (hasSpan) {
    fields.trace_id = spanContext.traceId;
    fields.span_id = spanContext.spanId;
    fields.trace_flags =
      spanContext.traceFlags < 16 ? `0${spanContext.traceFlags.toString(16)}` : spanContext.traceFlags.toString(16);
  }
  if (tenant !== undefined) fields.tenant_id = tenant;
  if (extra !== undefined) Object.assign(fields, extra);
  return fields;
}
