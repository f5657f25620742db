import type { MetricHelper } from './instruments.js';
import type { LabelRecord } from '../tenancy/tenant-labels.js';

/** The value a label takes once its limit of distinct values is reached. */
export const LABEL_VALUE_OTHER = 'other';

/** Longest label value kept; longer values are cut (a code or region is never this long). */
export const MAX_LABEL_VALUE_LENGTH = 128;

/**
 * Bounds the distinct values of some labels of one metric: the first `limit` values of a label are
 * kept as they are, any later new value is recorded as {@link LABEL_VALUE_OTHER}. Memory is bounded
 * by the sum of the limits. Values the service chooses (error codes, regions, resources) cannot
 * grow a metric's series without end this way.
 */
export class LabelValueLimiter {
  private readonly seen = new Map<string, Set<string>>();
  private readonly limits: ReadonlyArray<readonly [string, number]>;

  constructor(limits: Readonly<Record<string, number>>) {
    this.limits = Object.entries(limits);
    for (const [label] of this.limits) this.seen.set(label, new Set());
  }

  /** `labels` with each limited label admitted or folded (a new object only when one changes). */
  apply(labels: LabelRecord): LabelRecord {
    let result = labels;
    for (const [label, limit] of this.limits) {
      const raw = labels[label];
      if (raw === undefined) continue;
      const value = this.admit(label, limit, String(raw));
      if (value !== raw) {
        if (result === labels) result = { ...labels };
        result[label] = value;
      }
    }
    return result;
  }

  private admit(label: string, limit: number, raw: string): string {
    const value = raw.length > MAX_LABEL_VALUE_LENGTH ? raw.slice(0, MAX_LABEL_VALUE_LENGTH) : raw;
    const seen = this.seen.get(label) as Set<string>;
    if (seen.has(value)) return value;
    if (seen.size >= limit) return LABEL_VALUE_OTHER;
    seen.add(value);
    return value;
  }
}

const LABELLED_METHODS = ['inc', 'dec', 'set', 'observe', 'startTimer'] as const;

/**
 * A helper that records like `helper` after passing the labels through a {@link LabelValueLimiter}
 * of `limits`. It inherits from `helper` (same class, same `metric`), so it is used the same way.
 */
export function limitLabelValues<H extends MetricHelper>(helper: H, limits: Readonly<Record<string, number>>): H {
  const limiter = new LabelValueLimiter(limits);
  const bounded = Object.create(helper) as Record<string, unknown>;
  const methods = helper as unknown as Record<string, unknown>;
  for (const method of LABELLED_METHODS) {
    const original = methods[method];
    if (typeof original !== 'function') continue;
    bounded[method] = (labels: unknown, ...rest: unknown[]): unknown => {
      let limited = labels;
      try {
        if (typeof labels === 'object' && labels !== null) limited = limiter.apply(labels as LabelRecord);
      } catch {
        // Never throw into the caller: record with the labels as given.
      }
      return (original as (...args: unknown[]) => unknown).call(helper, limited, ...rest);
    };
  }
  // No kept labels: every measurement of a limited helper goes through the limiter.
  bounded.stableLabels = (): undefined => undefined;
  return bounded as unknown as H;
}
