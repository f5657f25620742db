import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ObservabilityConfig } from '../config/types.js';
import { ObservabilityError } from '../errors.js';
import { limitLabelValues } from './bounded-labels.js';
import { TENANT_DROP_REASONS, tenantDropCounts } from '../tenancy/tenant-context.js';
import {
  BAGGAGE_TENANT_DROPPED,
  METRICS_PART_CATALOG,
  RETRY_COUNT_BUCKETS,
  type ClusterAggregator,
  type MetricDefinition,
  type MetricType,
} from './catalog.js';
import { registerDefaultMetrics } from './default-metrics.js';
import { ExpositionRegistry, serializeRegistry, type ExpositionFormat } from './exposition.js';
import type { CounterHelper, GaugeHelper, HistogramHelper, MetricHelper, SummaryHelper } from './instruments.js';
import { buildMetric, validateDefinition, type ResolvedMetricDefinition } from './metric-factory.js';
import { TenantGuard, type TenantGuardSelfMetrics } from '../tenancy/tenant-guard.js';
import { linkZeroSeries, type ZeroSeries } from './zero-series.js';
import { warn } from '../warnings.js';

/** Options of a custom metric (the spec's "Adding Custom Metrics"). */
export interface CustomMetricOptions<L extends string = never> {
  /** Metric name; counters must end in `_total`. */
  name: string;
  help: string;
  /** Label names. Declaring `tenant` makes the metric tenant-aware (guard, baggage, include_tenant_labels). */
  labels?: readonly L[];
  /** Histograms: bucket bounds in seconds (default: `prometheus.latency_buckets`). */
  buckets?: readonly number[];
  /** Histograms: attach the active sampled span's trace_id as exemplar (default true). */
  exemplars?: boolean;
  /** Summaries: quantiles (default 0.5, 0.9, 0.99). */
  percentiles?: readonly number[];
  /** Summaries: sliding window in seconds (default: none, all-time). */
  maxAgeSeconds?: number;
  /** Summaries: number of window segments (default 5 when maxAgeSeconds is set). */
  ageBuckets?: number;
  /** How node:cluster aggregation combines workers (default sum). */
  aggregator?: ClusterAggregator;
}

/**
 * The metrics handle: the package's own prom-client registry, the spec's catalog as typed helpers
 * and custom metric registration. Every helper records through the tenant guard and never throws.
 */
export interface Metrics {
  /**
   * The package's own registry (never prom-client's global one). Reading it (`metrics()`,
   * `getMetricsAsJSON()`) never changes what the endpoint serves; see `ExpositionRegistry` (exposition.ts).
   */
  readonly registry: Registry;
  /** The logger the metrics part warns on (tenant overflow, rejected measurements, failed scrapes). */
  readonly logger: Logger;
  /** The catalog the helpers were built from. */
  readonly catalog: readonly MetricDefinition[];
  readonly cluster: {
    /** `grey_cluster_nodes_total{role,status}` (a gauge; see the lint exception). */
    nodes: GaugeHelper<'role' | 'status'>;
    /** `grey_cluster_cpu_utilization_ratio` */
    cpuUtilization: GaugeHelper<never>;
    /** `grey_cluster_memory_utilization_ratio` */
    memoryUtilization: GaugeHelper<never>;
    /** `grey_cluster_region_nodes{region,status}`: node count per region (at most 64 regions, 8 statuses). */
    regionNodes: GaugeHelper<'region' | 'status'>;
  };
  readonly consensus: {
    /** `grey_consensus_term` */
    term: GaugeHelper<never>;
    /** `grey_consensus_leader{node_id}` */
    leader: GaugeHelper<'node_id'>;
    /** `grey_consensus_quorum_size` */
    quorumSize: GaugeHelper<never>;
    /** `grey_consensus_commit_index` */
    commitIndex: GaugeHelper<never>;
  };
  readonly tasks: {
    /** `grey_tasks_submitted_total{tenant,type}` */
    submitted: CounterHelper<'tenant' | 'type'>;
    /** `grey_tasks_completed_total{tenant,type}` */
    completed: CounterHelper<'tenant' | 'type'>;
    /** `grey_tasks_failed_total{tenant,type}` */
    failed: CounterHelper<'tenant' | 'type'>;
    /**
     * `grey_task_duration_seconds{tenant,outcome}`: seconds a finished task ran, `outcome` `completed`
     * (the default when left out) or `failed` (buckets: `prometheus.latency_buckets`; exemplars).
     */
    duration: HistogramHelper<'tenant', 'outcome'>;
    /** `grey_tasks_running{tenant,type}`: tasks running now (inc at start, dec at end). */
    running: GaugeHelper<'tenant' | 'type'>;
    /** `grey_task_retries{type}`: retries a finished task needed (buckets 0, 1, 2, 3, 5, 10). */
    retries: HistogramHelper<'type'>;
    /** `grey_task_errors_total{type,code}`: failed attempts by error code (at most 50 codes, then `other`). */
    errors: CounterHelper<'type' | 'code'>;
  };
  readonly queue: {
    /** `grey_queue_depth{tenant,priority}` */
    depth: GaugeHelper<'tenant' | 'priority'>;
  };
  readonly tenants: {
    /** `grey_tenant_cpu_seconds_total{tenant}`: CPU seconds spent on a tenant's work. */
    cpuSeconds: CounterHelper<'tenant'>;
    /** `grey_tenant_memory_bytes{tenant}`: memory held for a tenant's work. */
    memory: GaugeHelper<'tenant'>;
    /** `grey_tenant_quota_utilization_ratio{tenant,resource}`: quota share in use, 0 to 1 (at most 16 resources). */
    quotaUtilization: GaugeHelper<'tenant' | 'resource'>;
    /** `grey_tenant_rate_limit_per_second{tenant}`: submissions per second the tenant is allowed. */
    rateLimit: GaugeHelper<'tenant'>;
    /** `grey_tenant_rate_limited_total{tenant}`: submissions the rate limiter refused. */
    rateLimited: CounterHelper<'tenant'>;
    /** `grey_tenant_cost_total{tenant}`: estimated cost in the service's billing unit. */
    cost: CounterHelper<'tenant'>;
  };
  readonly tee: {
    /** `grey_tee_attestations_total{platform,result}` */
    attestations: CounterHelper<'platform' | 'result'>;
    /** `grey_tee_attestation_duration_seconds` (summary, quantiles 0.5/0.9/0.99 over 10 min) */
    attestationDuration: SummaryHelper<never>;
    /** `grey_tee_enclaves_active{platform}` */
    enclavesActive: GaugeHelper<'platform'>;
    /** `grey_tee_enclave_memory_bytes{enclave_id}` */
    enclaveMemory: GaugeHelper<'enclave_id'>;
    /** `grey_tee_proofs_total{platform,result}`: execution proofs generated (result success or failure). */
    proofs: CounterHelper<'platform' | 'result'>;
  };
  readonly db: {
    /** `grey_db_connections_active{backend,shard}` */
    connectionsActive: GaugeHelper<'backend' | 'shard'>;
    /** `grey_db_connections_idle{backend,shard}` */
    connectionsIdle: GaugeHelper<'backend' | 'shard'>;
    /** `grey_db_query_duration_seconds{backend,operation}` (buckets: `prometheus.latency_buckets`; exemplars) */
    queryDuration: HistogramHelper<'backend' | 'operation'>;
    /** `grey_db_replication_lag_seconds{backend,replica}` */
    replicationLag: GaugeHelper<'backend' | 'replica'>;
  };
  /** Registers (or returns the identical existing) custom counter. Throws OBS_ERR_METRIC_INVALID, OBS_ERR_METRIC_REDEFINED (same name, any option different) or OBS_ERR_METRIC_CONFLICT. */
  counter<L extends string = never>(options: CustomMetricOptions<L>): CounterHelper<L>;
  /** Registers (or returns the identical existing) custom gauge. */
  gauge<L extends string = never>(options: CustomMetricOptions<L>): GaugeHelper<L>;
  /** Registers (or returns the identical existing) custom histogram. */
  histogram<L extends string = never>(options: CustomMetricOptions<L>): HistogramHelper<L>;
  /** Registers (or returns the identical existing) custom summary. */
  summary<L extends string = never>(options: CustomMetricOptions<L>): SummaryHelper<L>;
  /** The tenant guard of a tenant-aware metric, for introspection. */
  tenantGuard(metric: string): TenantGuard | undefined;
  /** The exposition of the registry in `format` (what the endpoint serves). */
  scrape(format: ExpositionFormat): Promise<string>;
}

const DEFAULT_PERCENTILES = [0.5, 0.9, 0.99] as const;
/** Summaries: window segments when `maxAgeSeconds` is set and `ageBuckets` is not. */
const DEFAULT_AGE_BUCKETS = 5;

/**
 * Builds the metrics part: the package's own registry, Node.js default metrics (when
 * `prometheus.default_metrics`), the spec's catalog as typed helpers, the tenant guards and the
 * self-metrics. No I/O; the endpoint is started by startMetricsServer().
 */
export function createMetrics(config: ObservabilityConfig, logger: Logger): Metrics {
  // OpenMetrics content type (exemplars), exposition that no reader of the registry can alter.
  const registry = new ExpositionRegistry();
  const self = createSelfMetrics();
  const errors = self.errors;
  const guards = new Map<string, TenantGuard>();
  const zeroGroups = new Map<string, ZeroSeries[]>();
  const helpers = new Map<string, { helper: MetricHelper; definition: ResolvedMetricDefinition }>();
  const settings = {
    maxTenants: config.tenancy.max_tenants_per_metric,
    overflow: config.tenancy.overflow,
    buckets: config.tenancy.buckets,
    allowlist: config.tenancy.allowlist,
    warnIntervalMs: config.tenancy.warn_interval_ms,
  };
  const context = {
    registry,
    includeTenantLabels: config.prometheus.include_tenant_labels,
    guardFor(metric: string): TenantGuard {
      const guard = new TenantGuard(metric, settings, logger, self.guard);
      guards.set(metric, guard);
      return guard;
    },
    joinZeroGroup(group: string, member: ZeroSeries): void {
      const members = zeroGroups.get(group) ?? [];
      members.push(member);
      zeroGroups.set(group, members);
    },
    onError(metric: string, error: unknown): void {
      try {
        errors.inc({ metric });
        warn(logger, 'OBS_WARN_METRIC_REJECTED', metric, {
          message:
            `a measurement of ${metric} was rejected and dropped ` +
            `(${error instanceof Error ? error.message : String(error)}); rejections are counted ` +
            'in grey_observability_metric_errors_total.',
          fields: { metric, err: error },
        });
      } catch {
        // Never throw into the caller.
      }
    },
  };

  // The catalog is checked by its tests (it holds the one documented lint exception); custom
  // definitions are validated here.
  const defineMetric = (definition: ResolvedMetricDefinition, fromCatalog: boolean): MetricHelper => {
    const existing = helpers.get(definition.name);
    if (existing !== undefined) {
      const differences = definitionDifferences(existing.definition, definition);
      if (differences.length === 0) return existing.helper;
      // Returning the first metric would record the second definition's values into the first's
      // buckets/labels/quantiles and corrupt the series silently (prom-client#334).
      throw new ObservabilityError(
        'OBS_ERR_METRIC_REDEFINED',
        `metric ${definition.name} is already registered with another definition (${differences.map((d) => d.option).join(', ')} differ)`,
        {
          key: definition.name,
          value: Object.fromEntries(differences.map((d) => [d.option, d.given])),
          expected: `the existing definition (${differences.map((d) => `${d.option}: ${JSON.stringify(d.existing)}`).join('; ')}), or another name`,
        },
      );
    }
    if (!fromCatalog) validateDefinition(definition);
    if (registry.getSingleMetric(definition.name) !== undefined) {
      throw new ObservabilityError('OBS_ERR_METRIC_CONFLICT', `metric ${definition.name} is already registered`, {
        key: definition.name,
        expected: 'a name not already on the registry (Node.js default metrics, grey_observability_* self-metrics)',
      });
    }
    const helper = buildMetric(definition, context);
    helpers.set(definition.name, { helper, definition });
    return helper;
  };

  const handle: Record<string, unknown> = {};
  for (const definition of METRICS_PART_CATALOG) {
    // Self-metrics have no helper: createSelfMetrics() makes them.
    if (definition.helper === undefined) continue;
    const registered = defineMetric(resolveCatalogEntry(definition, config), true);
    const helper =
      definition.valueLimits === undefined ? registered : limitLabelValues(registered, definition.valueLimits);
    setPath(handle, definition.helper, helper);
  }
  for (const members of zeroGroups.values()) linkZeroSeries(members);
  for (const metric of self.all) registry.registerMetric(metric);
  if (config.prometheus.default_metrics) registerDefaultMetrics(registry);

  const custom = (type: MetricType) => (options: CustomMetricOptions<string>) =>
    defineMetric(resolveCustom(type, options, config), false);

  return {
    ...(handle as Pick<Metrics, 'cluster' | 'consensus' | 'tasks' | 'queue' | 'tenants' | 'tee' | 'db'>),
    registry,
    logger,
    catalog: METRICS_PART_CATALOG,
    counter: custom('counter') as Metrics['counter'],
    gauge: custom('gauge') as Metrics['gauge'],
    histogram: custom('histogram') as Metrics['histogram'],
    summary: custom('summary') as Metrics['summary'],
    tenantGuard: (metric: string) => guards.get(metric),
    scrape: (format: ExpositionFormat) => serializeRegistry(registry, format),
  };
}

function resolveCatalogEntry(definition: MetricDefinition, config: ObservabilityConfig): ResolvedMetricDefinition {
  return {
    name: definition.name,
    type: definition.type,
    help: definition.help,
    labels: definition.labels,
    buckets:
      definition.buckets === 'latency_buckets'
        ? config.prometheus.latency_buckets
        : definition.buckets === 'retry_counts'
          ? RETRY_COUNT_BUCKETS
          : undefined,
    percentiles: definition.percentiles,
    maxAgeSeconds: definition.maxAgeSeconds,
    ageBuckets: definition.maxAgeSeconds === undefined ? undefined : DEFAULT_AGE_BUCKETS,
    exemplars: definition.exemplars,
    aggregator: definition.aggregator,
    zeroSeries: definition.zeroSeries,
    labelDefaults: definition.labelDefaults,
  };
}

function resolveCustom(
  type: MetricType,
  options: CustomMetricOptions<string>,
  config: ObservabilityConfig,
): ResolvedMetricDefinition {
  return {
    name: options.name,
    type,
    help: options.help,
    labels: options.labels ?? [],
    buckets: type === 'histogram' ? (options.buckets ?? config.prometheus.latency_buckets) : undefined,
    percentiles: type === 'summary' ? (options.percentiles ?? DEFAULT_PERCENTILES) : undefined,
    maxAgeSeconds: type === 'summary' ? options.maxAgeSeconds : undefined,
    ageBuckets:
      type === 'summary' && options.maxAgeSeconds !== undefined
        ? (options.ageBuckets ?? DEFAULT_AGE_BUCKETS)
        : undefined,
    exemplars: type === 'histogram' ? (options.exemplars ?? true) : false,
    aggregator: options.aggregator ?? 'sum',
  };
}

/** One option in which two definitions of a metric differ. */
interface DefinitionDifference {
  option: string;
  existing: unknown;
  given: unknown;
}

/** Every option of `given` that differs from `existing` (each resolved with its defaults). */
function definitionDifferences(
  existing: ResolvedMetricDefinition,
  given: ResolvedMetricDefinition,
): DefinitionDifference[] {
  const options = [
    'type',
    'help',
    'labels',
    'buckets',
    'percentiles',
    'maxAgeSeconds',
    'ageBuckets',
    'exemplars',
    'aggregator',
  ] as const satisfies ReadonlyArray<keyof ResolvedMetricDefinition>;
  const out: DefinitionDifference[] = [];
  for (const option of options) {
    const a = existing[option];
    const b = given[option];
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ option, existing: a ?? null, given: b ?? null });
  }
  return out;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const [section, member] = path.split('.') as [string, string];
  const group = (target[section] ??= {}) as Record<string, unknown>;
  group[member] = value;
}

/** The self-metrics, created unregistered so they can be appended after the catalog. */
function createSelfMetrics(): {
  guard: TenantGuardSelfMetrics;
  errors: Counter<'metric'>;
  all: Array<Counter<string> | Gauge<string>>;
} {
  const byName = new Map(METRICS_PART_CATALOG.filter((d) => d.group === 'observability').map((d) => [d.name, d]));
  const spec = (name: string) => {
    const definition = byName.get(name) as MetricDefinition;
    return {
      name,
      help: definition.help,
      labelNames: [...definition.labels],
      registers: [],
      aggregator: definition.aggregator,
    };
  };
  const overflow = new Counter(spec('grey_observability_tenant_overflow_total')) as Counter<'metric' | 'reason'>;
  const admitted = new Gauge(spec('grey_observability_tenant_admitted')) as Gauge<'metric'>;
  const limit = new Gauge(spec('grey_observability_tenant_limit')) as Gauge<'metric'>;
  const errors = new Counter(spec('grey_observability_metric_errors_total')) as Counter<'metric'>;
  // Counted by the baggage propagator (tracing/tenant-baggage.ts) in a plain running total, read
  // at each scrape; every reason is exposed from the start, at 0.
  const tenantDropped = new Counter({
    ...spec(BAGGAGE_TENANT_DROPPED),
    collect() {
      const counts = tenantDropCounts();
      this.reset();
      for (const reason of TENANT_DROP_REASONS) this.inc({ reason }, counts[reason]);
    },
  }) as Counter<'reason'>;
  return {
    guard: { overflow, admitted, limit },
    errors,
    all: [overflow, admitted, limit, errors, tenantDropped],
  };
}
