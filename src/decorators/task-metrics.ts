import type { Baggage } from '@opentelemetry/api';
import type { MetricLabels } from '../metrics/instruments.js';
import type { PendingSeries } from '../metrics/pending-series.js';
import type { LabelRecord } from '../tenancy/tenant-labels.js';
import type { Metrics } from '../metrics/metrics.js';

/** Labels of the task counters: `type` and, when known, `tenant` (through the tenant guard). */
type TaskCounterLabels = MetricLabels<'tenant' | 'type'>;

/** Labels of the task duration histogram: `tenant` when known, and the task's `outcome`. */
type TaskDurationLabels = MetricLabels<'tenant', 'outcome'>;

/** The task metrics @Task records on: the `tasks` helpers of the metrics handle. */
export type TaskMetrics = Metrics['tasks'];

const MAX_CACHED_TENANTS = 1000;

/** The label objects of one task type and tenant. */
export interface TaskLabelSet {
  counter: TaskCounterLabels;
  /** Duration labels of a task that completed (`outcome="completed"`). */
  duration: TaskDurationLabels;
  /** Duration labels of a task that failed (`outcome="failed"`). */
  failedDuration: TaskDurationLabels;
  /**
   * @Task's one-entry baggage carrying this tenant, made on first use: kept here so that a call
   * needs one map lookup per tenant, not two.
   */
  baggage: Baggage | undefined;
  /** The kept labels of each task metric for this set (see {@link stableTaskLabels}). */
  stable: StableTaskLabels | undefined;
}

/**
 * Where the task metrics of one label set record once every label is final (the helpers'
 * stableLabels: the tenant admitted by each metric's guard): the pending series of the counters
 * and the running gauge (summed on the hot path, handed to prom-client when the metric is read)
 * and the duration histogram's labels, so that a call records without resolving the tenant or
 * hashing labels again. Tied to the metrics they came from: a new runtime's metrics resolve them anew.
 */
export interface StableTaskLabels {
  tasks: TaskMetrics;
  submitted: PendingSeries;
  running: PendingSeries;
  completed: PendingSeries;
  duration: LabelRecord;
  failedDuration: LabelRecord;
}

/**
 * The kept labels of `set` for `tasks`, resolved (and stored on the set) the first time they are
 * all final; undefined while one is not (a tenant the guard has not admitted yet, or over its
 * budget: those go through the guard on every measurement).
 */
export function stableTaskLabels(tasks: TaskMetrics, set: TaskLabelSet): StableTaskLabels | undefined {
  const kept = set.stable;
  if (kept !== undefined && kept.tasks === tasks) return kept;
  const submitted = pendingOf(tasks.submitted, set.counter);
  const running = pendingOf(tasks.running, set.counter);
  const completed = pendingOf(tasks.completed, set.counter);
  const duration = tasks.duration.stableLabels(set.duration);
  const failedDuration = tasks.duration.stableLabels(set.failedDuration);
  if (
    submitted === undefined ||
    running === undefined ||
    completed === undefined ||
    duration === undefined ||
    failedDuration === undefined
  ) {
    return undefined;
  }
  set.stable = { tasks, submitted, running, completed, duration, failedDuration };
  return set.stable;
}

function pendingOf(
  helper: TaskMetrics['submitted'] | TaskMetrics['running'],
  labels: TaskCounterLabels,
): PendingSeries | undefined {
  const stable = helper.stableLabels(labels);
  return stable === undefined ? undefined : helper.pendingSeries(stable);
}

/**
 * Label objects of one task type, made once and reused (callers must not mutate them): one set
 * without a tenant, and one per tenant (up to 1,000 tenants; past that, fresh objects per call).
 */
export class TaskLabelSets {
  private readonly withoutTenant: TaskLabelSet;
  private readonly byTenant = new Map<string, TaskLabelSet>();
  /** `{ type }`: the labels of the per-type task metrics (retries). */
  readonly typeOnly: MetricLabels<'type'>;

  constructor(readonly type: string) {
    this.withoutTenant = {
      counter: { type },
      duration: { outcome: 'completed' },
      failedDuration: { outcome: 'failed' },
      baggage: undefined,
      stable: undefined,
    };
    this.typeOnly = { type };
  }

  /** The label set for `tenant` (undefined: no tenant label). */
  setFor(tenant: string | undefined): TaskLabelSet {
    if (tenant === undefined) return this.withoutTenant;
    let set = this.byTenant.get(tenant);
    if (set === undefined) {
      set = {
        counter: { type: this.type, tenant },
        duration: { tenant, outcome: 'completed' },
        failedDuration: { tenant, outcome: 'failed' },
        baggage: undefined,
        stable: undefined,
      };
      if (this.byTenant.size < MAX_CACHED_TENANTS) this.byTenant.set(tenant, set);
    }
    return set;
  }
}
