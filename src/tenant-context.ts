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
