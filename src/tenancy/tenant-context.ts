import { context, propagation, type Context } from '@opentelemetry/api';

/** Baggage key (and span attribute) that carries the tenant id across services. */
export const TENANT_BAGGAGE_KEY = 'grey.tenant_id';

/**
 * The tenant id of `ctx` (default: the active context), read from the baggage entry
 * `grey.tenant_id`, or undefined when there is none.
 */
export function currentTenant(ctx: Context = context.active()): string | undefined {
  return propagation.getBaggage(ctx)?.getEntry(TENANT_BAGGAGE_KEY)?.value;
}

/**
 * Why an outgoing request's baggage could not carry the tenant id (see tracing/tenant-baggage.ts):
 * `too_long`, its member `grey.tenant_id=<percent-encoded id>` is over the W3C limit of 4,096
 * bytes; `not_encodable`, the id is not valid UTF-16 (a lone surrogate) and cannot be
 * percent-encoded.
 */
export type TenantDropReason = 'too_long' | 'not_encodable';

/** Every {@link TenantDropReason}, in label order. */
export const TENANT_DROP_REASONS: readonly TenantDropReason[] = ['too_long', 'not_encodable'];

// Since the process started: the propagator that counts is process-wide (registered globally),
// and the self-metric grey_observability_baggage_tenant_dropped_total reads these at each scrape.
const tenantDrops: Record<TenantDropReason, number> = { too_long: 0, not_encodable: 0 };

/** Counts one outgoing request whose baggage could not carry the tenant id, for `reason`. */
export function countTenantDrop(reason: TenantDropReason): void {
  tenantDrops[reason]++;
}

/** Outgoing requests whose baggage could not carry the tenant id since the process started, by reason. */
export function tenantDropCounts(): Readonly<Record<TenantDropReason, number>> {
  return { ...tenantDrops };
}
