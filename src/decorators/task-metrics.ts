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

/**
 * Label objects of one task type, made once and reused: `{ type }`, and `{ type, tenant }` per
 * tenant (up to 1,000 tenants; past that, a fresh object per call).
 */
export class TaskLabelSets {
  /** Counter labels without a tenant. */
  readonly counter: TaskCounterLabels;
  /** Histogram labels without a tenant. */
  readonly duration: TaskDurationLabels = Object.freeze({});
  private readonly byTenant = new Map<string, { counter: TaskCounterLabels; duration: TaskDurationLabels }>();

  constructor(readonly type: string) {
    this.counter = Object.freeze({ type });
  }

  /** Counter labels for `tenant` (undefined: no tenant label). */
  counterFor(tenant: string | undefined): TaskCounterLabels {
    return tenant === undefined ? this.counter : this.forTenant(tenant).counter;
  }

  /** Histogram labels for `tenant` (undefined: no tenant label). */
  durationFor(tenant: string | undefined): TaskDurationLabels {
    return tenant === undefined ? this.duration : this.forTenant(tenant).duration;
  }

  private forTenant(tenant: string): { counter: TaskCounterLabels; duration: TaskDurationLabels } {
    let sets = this.byTenant.get(tenant);
    if (sets === undefined) {
      sets = { counter: Object.freeze({ type: this.type, tenant }), duration: Object.freeze({ tenant }) };
      if (this.byTenant.size < MAX_CACHED_TENANTS) this.byTenant.set(tenant, sets);
    }
    return sets;
  }
}
