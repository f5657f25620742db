import type { Attributes, Context } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { TENANT_BAGGAGE_KEY, currentTenant } from '../tenancy/tenant-context.js';

/**
 * The tenant attribute a span that starts in `parentContext` with the start attributes
 * `attributes` gets: the baggage tenant of `parentContext`, unless the span already started with
 * the attribute `grey.tenant_id`; else undefined. The rule of {@link TenantSpanProcessor}, also
 * applied by the captured spans of error capture (error-capture/captured-span.ts).
 */
export function tenantAttributeFor(attributes: Attributes, parentContext: Context): string | undefined {
  const tenant = currentTenant(parentContext);
  return tenant !== undefined && attributes[TENANT_BAGGAGE_KEY] === undefined ? tenant : undefined;
}

/**
 * Sets the span attribute `grey.tenant_id` from the baggage of the context a span starts in,
 * unless the span already started with that attribute ({@link tenantAttributeFor}). One context
 * lookup per span. Like any attribute it counts toward `opentelemetry.limits.attribute_count`.
 */
export class TenantSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const tenant = tenantAttributeFor(span.attributes, parentContext);
    if (tenant !== undefined) span.setAttribute(TENANT_BAGGAGE_KEY, tenant);
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
