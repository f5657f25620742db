import { currentTenant } from './tenant-context.js';
import { TENANT_NONE, type TenantGuard } from './tenant-guard.js';

/** The tenant label name (spec). */
export const TENANT_LABEL = 'tenant';

/** A label value as callers may pass it; numbers are written as their decimal form. */
export type LabelValue = string | number;
/** Label values keyed by label name, as prom-client takes them. */
export type LabelRecord = Record<string, LabelValue>;

const NO_LABELS: LabelRecord = Object.freeze({}) as LabelRecord;

/**
 * Turns caller labels into the labels prom-client records, applying the tenant rules of one metric:
 * - `plain`: the metric has no tenant label; labels pass through unchanged.
 * - `guarded`: the tenant is the explicit `tenant` label, else the baggage entry `grey.tenant_id`
 *   of the active context, else `__none__`; then the tenant guard rewrites it.
 * - `stripped`: `prometheus.include_tenant_labels` is false; a `tenant` label is dropped.
 */
export class TenantLabeler {
  private readonly guard: TenantGuard | undefined;
  private readonly mode: 'plain' | 'guarded' | 'stripped';

  private constructor(mode: 'plain' | 'guarded' | 'stripped', guard: TenantGuard | undefined) {
    this.mode = mode;
    this.guard = guard;
  }

  /** Labeler of a metric without a tenant label. */
  static plain(): TenantLabeler {
    return new TenantLabeler('plain', undefined);
  }

  /** Labeler of a tenant-aware metric whose tenant values go through `guard`. */
  static guarded(guard: TenantGuard): TenantLabeler {
    return new TenantLabeler('guarded', guard);
  }

  /** Labeler of a tenant-aware metric registered without its tenant label. */
  static stripped(): TenantLabeler {
    return new TenantLabeler('stripped', undefined);
  }

  /** The labels to record for `labels` (never mutated). */
  apply(labels: LabelRecord | undefined): LabelRecord {
    if (this.mode === 'plain') return labels ?? NO_LABELS;
    if (this.mode === 'stripped') {
      if (labels === undefined || !(TENANT_LABEL in labels)) return labels ?? NO_LABELS;
      const { [TENANT_LABEL]: _dropped, ...rest } = labels;
      return rest;
    }
    if (labels === undefined) return { [TENANT_LABEL]: this.resolve(currentTenant()) };
    // Two literal shapes on purpose: adding a key after a spread ({ ...labels, tenant } where labels
    // has no tenant) made prom-client's label handling ~5x slower in V8 here.
    if (!(TENANT_LABEL in labels)) return { [TENANT_LABEL]: this.resolve(currentTenant()), ...labels };
    const explicit = labels[TENANT_LABEL];
    const raw = explicit === undefined || explicit === '' ? currentTenant() : String(explicit);
    return { ...labels, [TENANT_LABEL]: this.resolve(raw) };
  }

  /**
   * The labels to record for `labels` when that answer is final and free of side effects, so the
   * caller may keep it and record with it directly (see the helpers' `*Stable` methods): always
   * for `plain` and `stripped` metrics; for `guarded` ones only when `labels` names its tenant and
   * the guard already knows it (a tenant taken from the context can change from call to call, and
   * a tenant the guard has not admitted must go through it on every measurement so that overflow
   * is counted). Undefined otherwise.
   */
  stable(labels: LabelRecord): LabelRecord | undefined {
    if (this.mode !== 'guarded') return this.apply(labels);
    const explicit = labels[TENANT_LABEL];
    if (explicit === undefined || explicit === '') return undefined;
    if (!(this.guard as TenantGuard).isKnown(String(explicit))) return undefined;
    return this.apply(labels);
  }

  /**
   * The labels of the series that `labels` names, without admitting anything (for `remove()`): the
   * tenant as given, else the baggage tenant, else `__none__`, as `apply` would record it for a
   * tenant the guard knows; an overflow value (`__other__`, `bucket-NN`) names the overflow series.
   */
  lookup(labels: LabelRecord | undefined): LabelRecord {
    if (this.mode !== 'guarded') return this.apply(labels);
    const explicit = labels?.[TENANT_LABEL];
    const raw = explicit === undefined || explicit === '' ? currentTenant() : String(explicit);
    return { ...labels, [TENANT_LABEL]: raw === undefined || raw === '' ? TENANT_NONE : raw };
  }

  /**
   * The tenant value this metric records for `tenant` when it can take it without folding it
   * (TenantGuard.admitQuietly); the value itself for a metric without a guard.
   */
  admitQuietly(tenant: string): string | undefined {
    return this.mode === 'guarded' ? (this.guard as TenantGuard).admitQuietly(tenant) : tenant;
  }

  private resolve(raw: string | undefined): string {
    if (raw === undefined || raw === '') return TENANT_NONE;
    return (this.guard as TenantGuard).resolve(raw);
  }
}
