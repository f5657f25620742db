import {
  propagation,
  type Baggage,
  type BaggageEntry,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { W3CBaggagePropagator, isTracingSuppressed, parseKeyPairsIntoRecord } from '@opentelemetry/core';
import { getRuntime } from '../runtime.js';
import { TENANT_BAGGAGE_KEY, countTenantDrop, type TenantDropReason } from '../tenancy/tenant-context.js';
import { warn } from '../warnings.js';
import { isScratchInjection } from './outgoing-headers.js';

/** The W3C baggage header. */
const BAGGAGE_HEADER = 'baggage';

/**
 * Most bytes of one list-member (`key=value;properties`) that the W3C Baggage specification
 * ("Limits") has a platform propagate, and that @opentelemetry/core's propagator keeps (its other
 * limits: 180 members, 8,192 bytes in all).
 */
export const BAGGAGE_MAX_MEMBER_BYTES = 4096;

/**
 * The `baggage` propagator of `opentelemetry.propagation`: @opentelemetry/core's
 * W3CBaggagePropagator (its serialisation, parsing and limits), with one rule added: the tenant
 * entry `grey.tenant_id` is never the member the limits drop.
 *
 * - Inject: the W3C limits (W3C Baggage, "Limits": 180 members, 8,192 bytes, 4,096 bytes per
 *   member) make the propagator drop what is beyond them, and it drops from the end: a tenant set
 *   by withTenant() on top of a full incoming baggage came last and was the one cut. Here the
 *   tenant is the first member sent, so the cut falls on other entries (members are unordered in
 *   W3C baggage, so only which entry is dropped changes). A tenant id whose member alone is over
 *   4,096 bytes once percent-encoded (or that cannot be percent-encoded) cannot be sent at all: the
 *   other entries are sent without it, and each such request is counted in
 *   `grey_observability_baggage_tenant_dropped_total{reason}` and logged as
 *   `OBS_WARN_BAGGAGE_TENANT_DROPPED` (rate-limited). An entry that cannot be encoded no longer
 *   costs the whole header: the others are sent.
 * - Extract: the first 180 members within 8,192 bytes, as the W3C propagator reads them, and the
 *   tenant member wherever it stands in the header (a sender that sent more than the limits).
 */
export class TenantBaggagePropagator implements TextMapPropagator {
  private readonly w3c = new W3CBaggagePropagator();

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const baggage = propagation.getBaggage(context);
    if (baggage === undefined || isTracingSuppressed(context)) return;
    const tenant = baggage.getEntry(TENANT_BAGGAGE_KEY);
    let sent = baggage;
    if (tenant !== undefined) {
      const problem = unsendable(tenant);
      if (problem === undefined) {
        sent = tenantFirst(baggage, tenant);
      } else {
        if (!isScratchInjection(context)) tenantNotSent(problem.reason, problem.bytes);
        sent = baggage.removeEntry(TENANT_BAGGAGE_KEY);
      }
    }
    try {
      this.w3c.inject(propagation.setBaggage(context, sent), carrier, setter);
    } catch {
      // An entry the W3C propagator cannot percent-encode (a lone surrogate) throws for the whole
      // header: send the others.
      const encodable = sent.getAllEntries().filter(([key, entry]) => isEncodable(key, entry.value));
      this.w3c.inject(propagation.setBaggage(context, new OrderedBaggage(sent, encodable)), carrier, setter);
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const extracted = this.w3c.extract(context, carrier, getter);
    const baggage = propagation.getBaggage(extracted);
    if (baggage?.getEntry(TENANT_BAGGAGE_KEY) !== undefined) return extracted;
    const tenant = tenantInHeader(getter.get(carrier, BAGGAGE_HEADER));
    if (tenant === undefined) return extracted;
    return propagation.setBaggage(
      extracted,
      (baggage ?? propagation.createBaggage()).setEntry(TENANT_BAGGAGE_KEY, { value: tenant }),
    );
  }

  fields(): string[] {
    return this.w3c.fields();
  }
}

/** Why the tenant entry cannot be sent, with the size of its member; undefined when it can be. */
function unsendable(entry: BaggageEntry): { reason: TenantDropReason; bytes: number } | undefined {
  let member: string;
  try {
    // The member as the W3C propagator writes it (getKeyPairs of @opentelemetry/core).
    member = `${encodeURIComponent(TENANT_BAGGAGE_KEY)}=${encodeURIComponent(entry.value)}`;
  } catch {
    return { reason: 'not_encodable', bytes: 0 };
  }
  if (entry.metadata !== undefined) member += `;${entry.metadata.toString()}`;
  return member.length > BAGGAGE_MAX_MEMBER_BYTES ? { reason: 'too_long', bytes: member.length } : undefined;
}

function isEncodable(key: string, value: string): boolean {
  try {
    encodeURIComponent(key);
    encodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}

/** Counts and reports one request whose baggage went without the tenant. */
function tenantNotSent(reason: TenantDropReason, bytes: number): void {
  countTenantDrop(reason);
  warn(getRuntime()?.logger, 'OBS_WARN_BAGGAGE_TENANT_DROPPED', reason, {
    message:
      reason === 'too_long'
        ? `the tenant id is too long for the baggage header: its member ${TENANT_BAGGAGE_KEY}=... is over the W3C limit ` +
          `of ${BAGGAGE_MAX_MEMBER_BYTES} bytes once percent-encoded, so downstream services did not get it; use shorter ` +
          'tenant ids (counted in grey_observability_baggage_tenant_dropped_total)'
        : 'the tenant id is not valid UTF-16 (a lone surrogate) and cannot be percent-encoded for the baggage header, so ' +
          'downstream services did not get it (counted in grey_observability_baggage_tenant_dropped_total)',
    fields: { reason, member_bytes: bytes, limit_bytes: BAGGAGE_MAX_MEMBER_BYTES },
  });
}

/** `baggage` with `tenant` as its first entry, for one injection. */
function tenantFirst(baggage: Baggage, tenant: BaggageEntry): Baggage {
  const entries = baggage.getAllEntries();
  if (entries[0]?.[0] === TENANT_BAGGAGE_KEY) return baggage;
  return new OrderedBaggage(baggage, [
    [TENANT_BAGGAGE_KEY, tenant],
    ...entries.filter(([key]) => key !== TENANT_BAGGAGE_KEY),
  ]);
}

/**
 * A baggage whose entries are listed in a given order (the W3C propagator serialises
 * `getAllEntries()` in order). Built for one injection; changing it gives an ordinary baggage.
 */
class OrderedBaggage implements Baggage {
  constructor(
    private readonly source: Baggage,
    private readonly entries: Array<[string, BaggageEntry]>,
  ) {}

  getEntry(key: string): BaggageEntry | undefined {
    return this.entries.find(([name]) => name === key)?.[1];
  }

  getAllEntries(): Array<[string, BaggageEntry]> {
    return this.entries.slice();
  }

  setEntry(key: string, entry: BaggageEntry): Baggage {
    return this.source.setEntry(key, entry);
  }

  removeEntry(key: string): Baggage {
    return this.source.removeEntry(key);
  }

  removeEntries(...keys: string[]): Baggage {
    return this.source.removeEntries(...keys);
  }

  clear(): Baggage {
    return this.source.clear();
  }
}

/**
 * The tenant id of the last `grey.tenant_id` member of the `baggage` header value(s) `header`,
 * within the member limit, or undefined. Only read when the W3C propagator's limits left the
 * tenant out.
 */
function tenantInHeader(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  let tenant: string | undefined;
  for (const value of Array.isArray(header) ? header : [header]) {
    if (typeof value !== 'string' || !value.includes(TENANT_BAGGAGE_KEY)) continue;
    for (const member of value.split(',')) {
      if (member.length > BAGGAGE_MAX_MEMBER_BYTES || !member.trimStart().startsWith(TENANT_BAGGAGE_KEY)) continue;
      const found = parseKeyPairsIntoRecord(member)[TENANT_BAGGAGE_KEY];
      if (found !== undefined) tenant = found;
    }
  }
  return tenant;
}
