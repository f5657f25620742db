import { context, propagation } from '@opentelemetry/api';
import { TENANT_BAGGAGE_KEY } from './tenant-context.js';

/**
 * Runs `fn` with the tenant id `tenantId` in the baggage entry `grey.tenant_id` of the active
 * context, and returns what `fn` returns. The entry propagates to downstream services with the
 * `baggage` propagator, is read back with `currentTenant()`, and is set as the span attribute
 * `grey.tenant_id` on every span started inside `fn`. Needs the global context manager that
 * `startTracing()` registers (also when tracing is disabled); before that `fn` simply runs.
 *
 * The `baggage` propagator sends the entry first, so the W3C baggage limits (180 members, 8,192
 * bytes in all) drop other entries rather than this one, also on top of a full incoming baggage
 * (see tracing/tenant-baggage.ts). An id whose member `grey.tenant_id=<percent-encoded id>` is over 4,096
 * bytes (W3C Baggage, "Limits"), or that cannot be percent-encoded, still applies in this process
 * but is not sent: each such injection is counted in
 * `grey_observability_baggage_tenant_dropped_total{reason}` and warned about
 * (`OBS_WARN_BAGGAGE_TENANT_DROPPED`).
 */
export function withTenant<T>(tenantId: string, fn: () => T): T {
  // Never throw into the service: an id that is not a non-empty string leaves the context alone.
  if (typeof tenantId !== 'string' || tenantId === '') return fn();
  const active = context.active();
  const baggage = propagation.getBaggage(active) ?? propagation.createBaggage();
  const next = propagation.setBaggage(active, baggage.setEntry(TENANT_BAGGAGE_KEY, { value: tenantId }));
  return context.with(next, fn);
}
