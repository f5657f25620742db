import type { Logger } from 'pino';
import type { Counter, Gauge } from 'prom-client';
import type { TenantOverflowMode } from '../config/types.js';
import { warn } from '../warnings.js';
import { tenantBucketLabel } from './tenant-hash.js';

/** Label value of every overflowing tenant in `other` mode. */
export const TENANT_OTHER = '__other__';
/** Label value used when a tenant-aware measurement has neither an explicit tenant nor baggage. */
export const TENANT_NONE = '__none__';
/** Reason label of `grey_observability_tenant_overflow_total` when the per-metric budget is full. */
const OVERFLOW_REASON_BUDGET = 'budget';
/**
 * Most overflowing tenants whose bucket label is cached per metric (bucket mode). The cache is
 * emptied when full, so memory stays bounded whatever the number of distinct tenants.
 */
const OVERFLOW_CACHE_SIZE = 4096;
/** Longest tenant id (UTF-16 units) admitted as its own label value; longer ids overflow (memory, exposition size). */
const MAX_TENANT_ID_LENGTH = 16_384;

/** The `tenancy.*` settings a guard needs. */
export interface TenantGuardSettings {
  /** `tenancy.max_tenants_per_metric`: distinct tenants admitted for the life of the process. */
  maxTenants: number;
  /** `tenancy.overflow`: `other` (one `__other__` value) or `bucket` (`bucket-NN`). */
  overflow: TenantOverflowMode;
  /** `tenancy.buckets`: number of bucket values in bucket mode. */
  buckets: number;
  /** `tenancy.allowlist`: tenants that always keep their own value, outside the budget. */
  allowlist: readonly string[];
  /** `tenancy.warn_interval_ms`: least time between two repeated warnings of one metric. */
  warnIntervalMs: number;
}

/** The self-metrics a guard reports to. */
export interface TenantGuardSelfMetrics {
  overflow: Counter<'metric' | 'reason'>;
  admitted: Gauge<'metric'>;
  limit: Gauge<'metric'>;
}

/**
 * Rewrites the tenant label value of one metric before prom-client sees it, so that the metric
 * never holds more than `maxTenants` + allowlist + 2 tenant values (`other` mode) or
 * `maxTenants` + allowlist + 1 + `buckets` (bucket mode). It never throws and never drops a
 * measurement: an overflowing tenant is counted under its overflow value, so totals stay exact.
 *
 * Hot path: one Map lookup for admitted and allowlisted tenants.
 */
export class TenantGuard {
  readonly metric: string;
  private readonly settings: TenantGuardSettings;
  private readonly logger: Logger;
  private readonly self: TenantGuardSelfMetrics;
  /** tenant → label value, for allowlisted, admitted and reserved values. Bounded by the budget. */
  private readonly known = new Map<string, string>();
  /** tenant → bucket label of overflowing tenants (bucket mode), emptied when full. */
  private readonly overflowCache = new Map<string, string>();
  private readonly selfLabels: { metric: string };
  private readonly overflowLabels: { metric: string; reason: string };
  private admittedCount = 0;
  private overflowSinceWarn = 0;
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private warned = false;

  /** @internal Guards are made by the package, one per tenant-aware metric (`metrics.tenantGuard(name)`). */
  constructor(metric: string, settings: TenantGuardSettings, logger: Logger, self: TenantGuardSelfMetrics) {
    this.metric = metric;
    this.settings = settings;
    this.logger = logger;
    this.self = self;
    this.selfLabels = { metric };
    this.overflowLabels = { metric, reason: OVERFLOW_REASON_BUDGET };
    for (const tenant of settings.allowlist) this.known.set(tenant, tenant);
    this.known.set(TENANT_NONE, TENANT_NONE);
    safely(() => {
      self.limit.set(this.selfLabels, settings.maxTenants);
      self.admitted.set(this.selfLabels, 0);
      // At 0 from the start, so that rate() and the overflow alert see the first folded measurements.
      self.overflow.inc(this.overflowLabels, 0);
    });
  }

  /** Tenants admitted so far under the budget (allowlisted tenants not included). */
  get admitted(): number {
    return this.admittedCount;
  }

  /**
   * True when `tenant` resolves to itself for good (allowlisted, admitted, or `__none__`): its
   * resolution has no side effect and never changes, so a caller may keep the label it gave.
   */
  isKnown(tenant: string): boolean {
    return this.known.has(tenant);
  }

  /**
   * The label value for `tenant` when it can be had without folding: the value of a known tenant,
   * an overflow value (`__other__`, `bucket-NN`) as it is, or a new tenant admitted while the budget
   * has room. Undefined when the tenant would be folded (nothing is counted nor warned: no
   * measurement was made). Used to create series at 0 for a tenant another metric recorded.
   */
  admitQuietly(tenant: string): string | undefined {
    const known = this.known.get(tenant);
    if (known !== undefined) return known;
    if (tenant === TENANT_OTHER || OVERFLOW_BUCKET.test(tenant)) return tenant;
    if (this.admittedCount >= this.settings.maxTenants || tenant.length > MAX_TENANT_ID_LENGTH) return undefined;
    return this.resolveNew(tenant);
  }

  /** The label value to record for `tenant`. Never throws. */
  resolve(tenant: string): string {
    const known = this.known.get(tenant);
    return known !== undefined ? known : this.resolveNew(tenant);
  }

  private resolveNew(tenant: string): string {
    if (this.admittedCount < this.settings.maxTenants && tenant.length <= MAX_TENANT_ID_LENGTH) {
      this.known.set(tenant, tenant);
      this.admittedCount++;
      safely(() => this.self.admitted.set(this.selfLabels, this.admittedCount));
      return tenant;
    }
    safely(() => this.self.overflow.inc(this.overflowLabels));
    this.warnOverflow();
    if (this.settings.overflow !== 'bucket' || tenant.length > MAX_TENANT_ID_LENGTH) return TENANT_OTHER;
    let label = this.overflowCache.get(tenant);
    if (label === undefined) {
      label = tenantBucketLabel(tenant, this.settings.buckets);
      if (this.overflowCache.size >= OVERFLOW_CACHE_SIZE) this.overflowCache.clear();
      // Ids longer than 256 units are hashed each time: 4,096 cached 1 MB ids would hold 4 GB.
      if (tenant.length <= 256) this.overflowCache.set(tenant, label);
    }
    return label;
  }

  private warnOverflow(): void {
    this.overflowSinceWarn++;
    const now = Date.now();
    if (this.warned && now - this.lastWarnAt < this.settings.warnIntervalMs) return;
    const folded = this.overflowSinceWarn;
    this.overflowSinceWarn = 0;
    this.lastWarnAt = now;
    this.warned = true;
    // The guard's own interval (tenancy.warn_interval) already limits these lines and counts the folded measurements.
    warn(this.logger, 'OBS_WARN_TENANT_OVERFLOW', this.metric, {
      intervalMs: 0,
      fields: {
        metric: this.metric,
        key: 'tenancy.max_tenants_per_metric',
        limit: this.settings.maxTenants,
        overflow: this.settings.overflow,
        folded,
      },
      message:
        `metric ${this.metric} reached its budget of ${this.settings.maxTenants} tenants; ` +
        `${folded} measurement(s) of new tenants were recorded under the overflow label. ` +
        'Raise tenancy.max_tenants_per_metric, add the tenant to tenancy.allowlist, or use tenancy.overflow: bucket.',
    });
  }
}

/** The overflow values of bucket mode (see tenantBucketLabel). */
const OVERFLOW_BUCKET = /^bucket-\d+$/;

/** Runs `action`, swallowing anything it throws: telemetry must never break the caller. */
function safely(action: () => void): void {
  try {
    action();
  } catch {
    // Self-metrics and logging are best effort.
  }
}
