import type { Baggage } from '@opentelemetry/api';

/** Labels of the task counters: `type` and, when known, `tenant`. */
export interface TaskCounterLabels {
  type: string;
  tenant?: string;
}

/** Labels of the task duration histogram. */
export interface TaskDurationLabels {
  tenant?: string;
}

/**
 * The part of the metrics runtime (`getRuntime().metrics`) that @Task uses; the metrics part
 * provides it (docs/architecture.md, "Metric helper API"). The tenant label, when given, goes
 * through the metrics part's tenant guard; when absent it falls back to the baggage tenant there.
 */
export interface TaskMetrics {
  tasks: {
    submitted: { inc(labels: TaskCounterLabels): void };
    completed: { inc(labels: TaskCounterLabels): void };
    failed: { inc(labels: TaskCounterLabels): void };
    /** Seconds; the exemplar is taken from the active sampled span. */
    duration: { observe(labels: TaskDurationLabels, seconds: number): void };
  };
}

/** The task metrics of a runtime's `metrics`, or undefined when it has none (metrics disabled). */
export function taskMetricsOf(metrics: unknown): TaskMetrics['tasks'] | undefined {
  return (metrics as Partial<TaskMetrics> | undefined | null)?.tasks;
}

const MAX_CACHED_TENANTS = 1000;

/** The label objects of one task type and tenant. */
export interface TaskLabelSet {
  counter: TaskCounterLabels;
  duration: TaskDurationLabels;
  /**
   * @Task's one-entry baggage carrying this tenant, made on first use: kept here so that a call
   * needs one map lookup per tenant, not two.
   */
  baggage: Baggage | undefined;
}

/**
 * Label objects of one task type, made once and reused (callers must not mutate them): one set
 * without a tenant, and one per tenant (up to 1,000 tenants; past that, fresh objects per call).
 */
export class TaskLabelSets {
  private readonly withoutTenant: TaskLabelSet;
  private readonly byTenant = new Map<string, TaskLabelSet>();

  constructor(readonly type: string) {
    this.withoutTenant = { counter: { type }, duration: {}, baggage: undefined };
  }

  /** The label set for `tenant` (undefined: no tenant label). */
  setFor(tenant: string | undefined): TaskLabelSet {
    if (tenant === undefined) return this.withoutTenant;
    let set = this.byTenant.get(tenant);
    if (set === undefined) {
      set = { counter: { type: this.type, tenant }, duration: { tenant }, baggage: undefined };
      if (this.byTenant.size < MAX_CACHED_TENANTS) this.byTenant.set(tenant, set);
    }
    return set;
  }
}
