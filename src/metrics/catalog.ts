/**
 * The metrics part's catalog as data: every metric the spec lists under "Exposed Metrics", plus
 * the metrics part's own self-metrics (tenant guard, rejected measurements, baggage). The registry
 * is built from this array; with tracing's self-metrics it makes `METRIC_CATALOG`
 * (src/metric-catalog.ts), from which dashboards, rules and docs are generated, so names, types
 * and labels live in one place each.
 */

import { TENANT_DROP_REASONS } from '../tenancy/tenant-context.js';

/** Prometheus metric types used by the catalog and custom metrics. */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

/** How prom-client's AggregatorRegistry combines one metric across node:cluster workers. */
export type ClusterAggregator = 'sum' | 'first' | 'min' | 'max' | 'average' | 'omit';

/**
 * Where a histogram's bucket bounds come from: `latency_buckets` is the config key
 * `prometheus.latency_buckets` (seconds); `retry_counts` is `RETRY_COUNT_BUCKETS`.
 */
export type BucketSource = 'latency_buckets' | 'retry_counts';

/** Bucket bounds of the retry-count histogram: 0 (no retry), 1, 2, 3, 5 and 10 retries. */
export const RETRY_COUNT_BUCKETS: readonly number[] = [0, 1, 2, 3, 5, 10];

/** One metric of the catalog. */
export interface MetricDefinition {
  /** Exposition name, exactly as the spec spells it. */
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** Label names in exposition order, `tenant` included when `tenantAware`. */
  readonly labels: readonly string[];
  /**
   * The metric carries the `tenant` label, which goes through the tenant guard and is removed when
   * `prometheus.include_tenant_labels` is false.
   */
  readonly tenantAware: boolean;
  /** Histograms: the config key whose value gives the bucket bounds (seconds). */
  readonly buckets?: BucketSource;
  /** Summaries: the quantiles reported. */
  readonly percentiles?: readonly number[];
  /** Summaries: sliding window length in seconds. */
  readonly maxAgeSeconds?: number;
  /** Histograms: observations inside a sampled span carry its trace_id as an OpenMetrics exemplar. */
  readonly exemplars: boolean;
  /** How the cluster endpoint combines worker values. */
  readonly aggregator: ClusterAggregator;
  /** Section of the spec (and of dashboards) the metric belongs to. */
  readonly group:
    'cluster' | 'consensus' | 'resources' | 'tasks' | 'queue' | 'tenants' | 'tee' | 'database' | 'observability';
  /** Path of the typed helper on the `Metrics` handle, e.g. `tasks.submitted`; none for self-metrics. */
  readonly helper?: string;
  /**
   * Most distinct values each listed label may take; further values are recorded as `other`
   * (bounded cardinality for labels whose values come from the service, such as error codes).
   */
  readonly valueLimits?: Readonly<Record<string, number>>;
  /**
   * Not in the spec's "Exposed Metrics": the dashboard panel (`Dashboard / Panel`) this metric was
   * added to back.
   */
  readonly backs?: string;
  /** Why `promtool check metrics` flags this metric, when it knowingly does. */
  readonly lintException?: string;
  /**
   * Every value a label can take, for labels whose values the package itself chooses (such as
   * `reason`); each is exposed from the start, at 0.
   */
  readonly labelValues?: Readonly<Record<string, readonly string[]>>;
  /**
   * Series created at 0 beside each series first recorded (src/metrics/zero-series.ts), so that
   * rules that rate or divide see the first increment: `values`, every listed value of these labels
   * (`{ result: ['success', 'failure'] }`); `group`, the metrics of the catalog with the same
   * `group` get the label set too, where their labels can be taken from it.
   */
  readonly zeroSeries?: {
    readonly values?: Readonly<Record<string, readonly string[]>>;
    readonly group?: string;
  };
  /** Values of labels a caller of the helper may leave out, e.g. `{ outcome: 'completed' }`. */
  readonly labelDefaults?: Readonly<Record<string, string>>;
}

/**
 * `grey_observability_baggage_tenant_dropped_total{reason}`: outgoing requests whose baggage could
 * not carry the tenant id; `reason` is one of `TENANT_DROP_REASONS` (src/tenancy/tenant-context.ts).
 */
export const BAGGAGE_TENANT_DROPPED = 'grey_observability_baggage_tenant_dropped_total';
/** The `outcome` values of `grey_task_duration_seconds`: how the task ended. */
const TASK_OUTCOMES = ['completed', 'failed'] as const;

/** The `result` values the spec gives attestations and proofs. */
const RESULTS = ['success', 'failure'] as const;

/** Quantiles of the spec's attestation latency summary. */
const ATTESTATION_PERCENTILES = [0.5, 0.9, 0.99] as const;

/**
 * The entries `createMetrics()` registers, in exposition order: the spec's metrics and the metrics
 * part's own self-metrics. Tracing's self-metrics follow them in `METRIC_CATALOG`
 * (src/metric-catalog.ts).
 */
export const METRICS_PART_CATALOG: readonly MetricDefinition[] = [
  // cluster
  {
    name: 'grey_cluster_nodes_total',
    type: 'gauge',
    group: 'cluster',
    helper: 'cluster.nodes',
    help: 'Nodes in the cluster by role and status.',
    labels: ['role', 'status'],
    tenantAware: false,
    exemplars: false,
    aggregator: 'max',
    lintException:
      'A gauge named *_total: the spec and its alert rules use this name for a node count, which can go down.',
  },
  {
    name: 'grey_consensus_term',
    type: 'gauge',
    group: 'consensus',
    helper: 'consensus.term',
    help: 'Current Raft term.',
    labels: [],
    tenantAware: false,
    exemplars: false,
    aggregator: 'max',
  },
  {
    name: 'grey_consensus_leader',
    type: 'gauge',
    group: 'consensus',
    helper: 'consensus.leader',
    help: '1 on the series of the node that is the Raft leader, 0 otherwise.',
    labels: ['node_id'],
    tenantAware: false,
    exemplars: false,
    aggregator: 'max',
  },
  {
    name: 'grey_consensus_quorum_size',
    type: 'gauge',
    group: 'consensus',
    helper: 'consensus.quorumSize',
    help: 'Nodes needed for a Raft quorum.',
    labels: [],
    tenantAware: false,
    exemplars: false,
    aggregator: 'max',
  },
  {
    name: 'grey_consensus_commit_index',
    type: 'gauge',
    group: 'consensus',
    helper: 'consensus.commitIndex',
    help: 'Highest Raft log index known to be committed.',
    labels: [],
    tenantAware: false,
    exemplars: false,
    aggregator: 'max',
  },
  // resource utilization
  {
    name: 'grey_cluster_cpu_utilization_ratio',
    type: 'gauge',
    group: 'resources',
    helper: 'cluster.cpuUtilization',
    help: 'Cluster CPU utilization, 0 to 1.',
    labels: [],
    tenantAware: false,
    exemplars: false,
    aggregator: 'average',
  },
  {
    name: 'grey_cluster_memory_utilization_ratio',
    type: 'gauge',
    group: 'resources',
    helper: 'cluster.memoryUtilization',
    help: 'Cluster memory utilization, 0 to 1.',
    labels: [],
    tenantAware: false,
    exemplars: false,
    aggregator: 'average',
  },
  // tasks
  {
    name: 'grey_tasks_submitted_total',
    type: 'counter',
    group: 'tasks',
    helper: 'tasks.submitted',
    help: 'Tasks submitted, by tenant and task type.',
    labels: ['tenant', 'type'],
    tenantAware: true,
    exemplars: false,
    aggregator: 'sum',
    zeroSeries: { group: 'tasks' },
  },
  {
    name: 'grey_tasks_completed_total',
    type: 'counter',
    group: 'tasks',
    helper: 'tasks.completed',
    help: 'Tasks completed successfully, by tenant and task type.',
    labels: ['tenant', 'type'],
    tenantAware: true,
    exemplars: false,
    aggregator: 'sum',
    zeroSeries: { group: 'tasks' },
  },
  {
    name: 'grey_tasks_failed_total',
    type: 'counter',
    group: 'tasks',
    helper: 'tasks.failed',
    help: 'Tasks that failed, by tenant and task type.',
    labels: ['tenant', 'type'],
    tenantAware: true,
    exemplars: false,
    aggregator: 'sum',
    zeroSeries: { group: 'tasks' },
  },
  {
    name: 'grey_task_duration_seconds',
    type: 'histogram',
    group: 'tasks',
    helper: 'tasks.duration',
    help: 'Task execution time in seconds, by tenant and outcome (completed or failed).',
    labels: ['tenant', 'outcome'],
    tenantAware: true,
    buckets: 'latency_buckets',
    exemplars: true,
    aggregator: 'sum',
    zeroSeries: { group: 'tasks', values: { outcome: TASK_OUTCOMES } },
    labelDefaults: { outcome: 'completed' },
  },
  {
    name: 'grey_queue_depth',
    type: 'gauge',
    group: 'queue',
    helper: 'queue.depth',
    help: 'Tasks waiting in the queue, by tenant and priority.',
    labels: ['tenant', 'priority'],
    tenantAware: true,
    exemplars: false,
    aggregator: 'sum',
  },
  // TEE
  {
    name: 'grey_tee_attestations_total',
    type: 'counter',
    group: 'tee',
    helper: 'tee.attestations',
    help: 'Enclave attestations, by platform and result (success or failure).',
    labels: ['platform', 'result'],
    tenantAware: false,
    exemplars: false,
    aggregator: 'sum',
    zeroSeries: { values: { result: RESULTS } },
  },
  {
    name: 'grey_tee_attestation_duration_seconds',
    type: 'summary',
    group: 'tee',
    helper: 'tee.attestationDuration',
    help: 'Attestation latency in seconds over the last 10 minutes.',
    labels: [],
    tenantAware: false,
    percentiles: ATTESTATION_PERCENTILES,
    maxAgeSeconds: 600,
    exemplars: false,
    aggregator: 'sum',
  },
  {
    name: 'grey_tee_enclaves_active',
    type: 'gauge',
    group: 'tee',
    helper: 'tee.enclavesActive',
    help: 'Enclaves currently running, by platform.',
    labels: ['platform'],
    tenantAware: false,
    exemplars: false,
    aggregator: 'sum',
  },
  {
    name: 'grey_tee_enclave_memory_bytes',
    type: 'gauge',
    group: 'tee',
    helper: 'tee.enclaveMemory',
    help: 'Memory of one enclave in bytes.',
    labels: ['enclave_id'],
    tenantAware: false,
    exemplars: false,
    aggregator: 'sum',
  },
  // database
  {
    name: 'grey_db_connections_active',
    type: 'gauge',
    group: 'database',
    helper: 'db.connectionsActive',
    help: 'Pool connections in use, by backend and shard.',
    labels: ['backend', 'shard'],
    tenantAware: false,
    exemplars: false,
    aggregator: 'sum',
  },
  {
    name: 'grey_db_connections_idle',
    type: 'gauge',
    group: 'database',
    helper: 'db.connectionsIdle',
    help: 'Idle pool connections, by backend and shard.',
    labels: ['backend', 'shard'],
    tenantAware: false,
    exemplars: false,
    aggregator: 'sum',
  },
  {
    name: 'grey_db_query_duration_seconds',
    type: 'histogram',
    group: 'database',
    helper: 'db.queryDuration',
    help: 'Database query time in seconds, by backend and operation (read or write).',
    labels: ['backend', 'operation'],
    tenantAware: false,
    buckets: 'latency_buckets',
    exemplars: true,
    aggregator: 'sum',
  },
  {
    name: 'grey_db_replication_lag_seconds',
    type: 'gauge',
    group: 'database',
    helper: 'db.replicationLag',
    help: 'Replication lag of one replica in seconds.',
    labels: ['backend', 'replica'],
    tenantAware: false,
    exemplars: false,
    aggregator: 'max',
  },
  // Added to back the spec's dashboard panels that "Exposed Metrics" cannot (see `backs`).
  {
    name: 'grey_cluster_region_nodes',
    type: 'gauge',
    group: 'cluster',
    helper: 'cluster.regionNodes',
    help: 'Nodes in the cluster by region and status.',
    labels: ['region', 'status'],
    tenantAware: false,
    exemplars: false,
    aggregator: 'max',
    valueLimits: { region: 64, status: 8 },
    backs: 'Cluster Overview / Node Map',
  },
  {
    name: 'grey_tasks_running',
    type: 'gauge',
    group: 'tasks',
    helper: 'tasks.running',
    help: 'Tasks running now, by tenant and task type.',
    labels: ['tenant', 'type'],
    tenantAware: true,
    exemplars: false,
    aggregator: 'sum',
    backs: 'Task Execution / Task Status Distribution',
  },
  {
    name: 'grey_task_retries',
    type: 'histogram',
    group: 'tasks',
    helper: 'tasks.retries',
    help: 'Retries a finished task needed (0 when its first attempt ended it), by task type.',
    labels: ['type'],
    tenantAware: false,
    buckets: 'retry_counts',
    exemplars: false,
    aggregator: 'sum',
    backs: 'Task Execution / Retry Distribution',
  },
  {
    name: 'grey_task_errors_total',
    type: 'counter',
    group: 'tasks',
    helper: 'tasks.errors',
    help: 'Failed task attempts by task type and error code (at most 50 codes, then "other").',
    labels: ['type', 'code'],
    tenantAware: false,
    exemplars: false,
    aggregator: 'sum',
    valueLimits: { code: 50 },
    backs: 'Task Execution / Top Errors',
  },
  {
    name: 'grey_tenant_cpu_seconds_total',
    type: 'counter',
    group: 'tenants',
    helper: 'tenants.cpuSeconds',
    help: "CPU time spent on a tenant's work in seconds, by tenant.",
    labels: ['tenant'],
    tenantAware: true,
    exemplars: false,
    aggregator: 'sum',
    backs: 'Tenant Isolation / Resource Usage by Tenant',
  },
  {
    name: 'grey_tenant_memory_bytes',
    type: 'gauge',
    group: 'tenants',
    helper: 'tenants.memory',
    help: "Memory held for a tenant's work in bytes, by tenant.",
    labels: ['tenant'],
    tenantAware: true,
    exemplars: false,
    aggregator: 'sum',
    backs: 'Tenant Isolation / Resource Usage by Tenant',
  },
  {
    name: 'grey_tenant_quota_utilization_ratio',
    type: 'gauge',
    group: 'tenants',
    helper: 'tenants.quotaUtilization',
    help: "Share of a tenant's quota in use, 0 to 1, by tenant and resource.",
    labels: ['tenant', 'resource'],
    tenantAware: true,
    exemplars: false,
    aggregator: 'max',
    valueLimits: { resource: 16 },
    backs: 'Tenant Isolation / Quota Utilization',
  },
  {
    name: 'grey_tenant_rate_limit_per_second',
    type: 'gauge',
    group: 'tenants',
    helper: 'tenants.rateLimit',
    help: 'Task submissions per second a tenant is allowed, by tenant.',
    labels: ['tenant'],
    tenantAware: true,
    exemplars: false,
    aggregator: 'max',
    backs: 'Tenant Isolation / Rate Limit Status',
  },
  {
    name: 'grey_tenant_rate_limited_total',
    type: 'counter',
    group: 'tenants',
    helper: 'tenants.rateLimited',
    help: 'Task submissions refused by the rate limiter, by tenant.',
    labels: ['tenant'],
    tenantAware: true,
    exemplars: false,
    aggregator: 'sum',
    backs: 'Tenant Isolation / Rate Limit Status',
  },
  {
    name: 'grey_tenant_cost_total',
    type: 'counter',
    group: 'tenants',
    helper: 'tenants.cost',
    help: "Estimated cost of a tenant's work in the service's billing unit, by tenant.",
    labels: ['tenant'],
    tenantAware: true,
    exemplars: false,
    aggregator: 'sum',
    backs: 'Tenant Isolation / Cost per Tenant',
  },
  {
    name: 'grey_tee_proofs_total',
    type: 'counter',
    group: 'tee',
    helper: 'tee.proofs',
    help: 'Tasks whose execution proof was generated, by platform and result (success or failure).',
    labels: ['platform', 'result'],
    tenantAware: false,
    exemplars: false,
    aggregator: 'sum',
    valueLimits: { platform: 8, result: 4 },
    zeroSeries: { values: { result: RESULTS } },
    backs: 'TEE Operations / Proof Generation Rate',
  },
  // the package's own metrics
  {
    name: 'grey_observability_tenant_overflow_total',
    type: 'counter',
    group: 'observability',
    help: 'Measurements whose tenant label was folded into the overflow value, by metric and reason.',
    labels: ['metric', 'reason'],
    tenantAware: false,
    exemplars: false,
    aggregator: 'sum',
  },
  {
    name: 'grey_observability_tenant_admitted',
    type: 'gauge',
    group: 'observability',
    help: 'Distinct tenants admitted under the budget of a metric (allowlisted tenants excluded).',
    labels: ['metric'],
    tenantAware: false,
    exemplars: false,
    aggregator: 'max',
  },
  {
    name: 'grey_observability_tenant_limit',
    type: 'gauge',
    group: 'observability',
    help: 'Tenant budget of a metric (tenancy.max_tenants_per_metric).',
    labels: ['metric'],
    tenantAware: false,
    exemplars: false,
    aggregator: 'max',
  },
  {
    name: 'grey_observability_metric_errors_total',
    type: 'counter',
    group: 'observability',
    help: 'Measurements rejected by a metric (unknown label, negative counter increment, not a number), by metric.',
    labels: ['metric'],
    tenantAware: false,
    exemplars: false,
    aggregator: 'sum',
  },
  {
    name: BAGGAGE_TENANT_DROPPED,
    type: 'counter',
    group: 'observability',
    help: `Baggage injections (one per outgoing request) that could not carry the tenant id grey.tenant_id, by reason (${TENANT_DROP_REASONS.join(', ')}).`,
    labels: ['reason'],
    labelValues: { reason: TENANT_DROP_REASONS },
    tenantAware: false,
    exemplars: false,
    aggregator: 'sum',
  },
];
