import type { SpanLimits } from '@opentelemetry/sdk-trace';
import type { ObservabilityConfig } from '../config/types.js';

/** The span limits of the SDK, every one set (what the SDK's TracerProvider fills in for its tracers). */
export type ResolvedSpanLimits = Required<SpanLimits>;

/**
 * The SDK span limits of `opentelemetry.limits` (OpenTelemetry specification, "Span Limits" and
 * "Attribute Limits"; the keys are fed by OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT or
 * OTEL_ATTRIBUTE_COUNT_LIMIT, OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT or
 * OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, OTEL_SPAN_EVENT_COUNT_LIMIT, OTEL_SPAN_LINK_COUNT_LIMIT,
 * OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT and OTEL_LINK_ATTRIBUTE_COUNT_LIMIT, see the config reference).
 * `attribute_value_length` 0 means no limit (`Infinity`: the SDK would warn on each value given 0
 * and ignore it). The one object is shared by the service's provider, the replay provider of
 * error capture and the captured spans, so every span of the process has the same limits.
 */
export function buildSpanLimits(limits: ObservabilityConfig['opentelemetry']['limits']): ResolvedSpanLimits {
  return {
    attributeCountLimit: limits.attribute_count,
    attributeValueLengthLimit: limits.attribute_value_length === 0 ? Infinity : limits.attribute_value_length,
    eventCountLimit: limits.event_count,
    linkCountLimit: limits.link_count,
    attributePerEventCountLimit: limits.attributes_per_event,
    attributePerLinkCountLimit: limits.attributes_per_link,
  };
}
