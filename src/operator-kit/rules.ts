import { by, selector } from './promql.js';

/**
 * The spec's recording and alerting rules ("Alert Rules"), written against the metric catalog and
 * corrected where the spec's expressions cannot fire or fire on the wrong state:
 *
 * - GreyClusterDegraded/Critical: the spec's `grey_cluster_nodes_total{status="active"} <
 *   grey_cluster_nodes_total * 0.8` matches each series with itself (one-to-one on identical label
 *   sets) and can never be true. Here both sides are summed per job, and a missing `active` series
 *   (no node active at all) counts as 0 instead of making the alert vanish.
 * - grey:task_success_rate:5m: the spec divides completed by submitted, so a growing backlog of
 *   healthy tasks reads as failures. Here it is completed / (completed + failed), and a tenant whose
 *   tasks all fail (no `completed` series) gets 0, not nothing.
 * - GreyHighTaskLatency: p99 > 5 s cannot be seen when the highest finite bucket is 5 s
 *   (histogram_quantile then returns at most 5); the default `prometheus.latency_buckets` now reach
 *   30 s, the spec's best-practice set. The p99 is over every finished task: the duration histogram
 *   has an `outcome` label (completed or failed) that the rule sums over, so timeouts, the most
 *   common slow failure, count.
 * - Rates over series that appear with their first increment miss it; the package creates a
 *   tenant's completed and failed series (and its duration series of each outcome) at 0 as soon as
 *   it first records one of them, so a burst of failures between two scrapes is seen.
 * - Every alert has `summary`, `description` and `runbook_url` annotations.
 *
 * Beyond the spec, two alerts on the package's own pipeline: GreyObservabilitySpansLost (spans
 * failed or dropped on the way to the collector, per job and reason) and
 * GreyObservabilityTenantOverflow (a metric's tenant budget is full and new tenants are folded).
 */

/** A recording rule. */
export interface RecordingRule {
  record: string;
  expr: string;
}

/** An alerting rule. */
export interface AlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'warning' | 'critical' };
  annotations: { summary: string; description: string; runbook_url: string };
}

/** A Prometheus rule file: `groups` of rules. */
export interface RuleFile {
  groups: Array<{ name: string; rules: Array<RecordingRule | AlertingRule> }>;
}

/** Where the runbooks live (the spec's). */
const RUNBOOK_BASE_URL = 'https://grey.io/runbooks';

/** Names of the recording rules. */
const RECORDED = {
  completedRate: 'grey:tasks_completed:rate5m',
  failedRate: 'grey:tasks_failed:rate5m',
  successRate: 'grey:task_success_rate:5m',
  latencyP99: 'grey:task_latency_p99:5m',
} as const;

/** The recording rules (group `grey-recording`). */
export function recordingRules(): RecordingRule[] {
  const perTenant = (name: string): string => `sum ${by(name, ['job', 'tenant'])} (rate(${selector(name)}[5m]))`;
  const { completedRate: completed, failedRate: failed } = RECORDED;
  // `a or b * 0`: a tenant with only failures (or only completions) has one of the two series only.
  const completedOrZero = `(${completed} or ${failed} * 0)`;
  const failedOrZero = `(${failed} or ${completed} * 0)`;
  return [
    { record: completed, expr: perTenant('grey_tasks_completed_total') },
    { record: failed, expr: perTenant('grey_tasks_failed_total') },
    { record: RECORDED.successRate, expr: `${completedOrZero} / (${completedOrZero} + ${failedOrZero})` },
    {
      record: RECORDED.latencyP99,
      expr:
        `histogram_quantile(0.99, sum ${by('grey_task_duration_seconds', ['job', 'tenant', 'le'])} ` +
        `(rate(${selector('grey_task_duration_seconds', { suffix: '_bucket' })}[5m])))`,
    },
  ];
}

/** An alerting rule whose runbook is `${RUNBOOK_BASE_URL}/${runbook}`. */
function alert(
  name: string,
  expr: string,
  forDuration: string,
  severity: 'warning' | 'critical',
  summary: string,
  description: string,
  runbook: string,
): AlertingRule {
  return {
    alert: name,
    expr,
    for: forDuration,
    labels: { severity },
    annotations: { summary, description, runbook_url: `${RUNBOOK_BASE_URL}/${runbook}` },
  };
}

/** The alerting rules (group `grey-alerts`). */
export function alertingRules(): AlertingRule[] {
  const nodes = 'grey_cluster_nodes_total';
  const total = `sum ${by(nodes, ['job'])} (${selector(nodes)})`;
  const active = `(sum ${by(nodes, ['job'])} (${selector(nodes, { match: { status: 'active' } })}) or ${total} * 0)`;
  return [
    alert(
      'GreyClusterDegraded',
      `${active} < 0.8 * ${total}`,
      '5m',
      'warning',
      'Grey cluster {{ $labels.job }} has <80% healthy nodes',
      'Fewer than 80 % of the nodes of {{ $labels.job }} are active ({{ $value }} active).',
      'cluster-degraded',
    ),
    alert(
      'GreyClusterCritical',
      `${active} < 0.5 * ${total}`,
      '2m',
      'critical',
      'Grey cluster {{ $labels.job }} has <50% healthy nodes',
      'Fewer than half of the nodes of {{ $labels.job }} are active ({{ $value }} active); quorum is at risk.',
      'cluster-critical',
    ),
    alert(
      'GreyConsensusNoLeader',
      `sum ${by('grey_consensus_leader', ['job'])} (${selector('grey_consensus_leader')}) == 0`,
      '1m',
      'critical',
      'No Raft leader elected in {{ $labels.job }}',
      'No node of {{ $labels.job }} reports itself as Raft leader; writes cannot commit.',
      'consensus-no-leader',
    ),
    alert(
      'GreyHighTaskFailureRate',
      `${RECORDED.successRate} < 0.95`,
      '5m',
      'warning',
      'Task success rate < 95% for tenant {{ $labels.tenant }}',
      'Of the tasks of tenant {{ $labels.tenant }} that finished in the last 5 minutes, {{ $value | humanizePercentage }} succeeded.',
      'high-task-failure-rate',
    ),
    alert(
      'GreyHighTaskLatency',
      `${RECORDED.latencyP99} > 5`,
      '5m',
      'warning',
      'P99 task latency > 5s for tenant {{ $labels.tenant }}',
      'The p99 task duration of tenant {{ $labels.tenant }} over 5 minutes is about {{ $value | humanizeDuration }} ' +
        '(estimated from the grey_task_duration_seconds buckets: the true value lies between the bucket bounds ' +
        'around it, prometheus.latency_buckets).',
      'high-task-latency',
    ),
    alert(
      'GreyQueueBacklog',
      `sum ${by('grey_queue_depth', ['job', 'tenant'])} (${selector('grey_queue_depth')}) > 10000`,
      '10m',
      'warning',
      'Queue depth > 10000 for tenant {{ $labels.tenant }}',
      'Tenant {{ $labels.tenant }} has {{ $value }} tasks waiting (all priorities).',
      'queue-backlog',
    ),
    alert(
      'GreyTEEAttestationFailure',
      `sum ${by('grey_tee_attestations_total', ['job', 'platform'])} ` +
        `(rate(${selector('grey_tee_attestations_total', { match: { result: 'failure' } })}[5m])) > 0.1`,
      '5m',
      'warning',
      'TEE attestation failures detected on {{ $labels.platform }}',
      'Attestations on {{ $labels.platform }} fail at {{ $value }} per second (threshold 0.1/s).',
      'tee-attestation-failure',
    ),
    ...pipelineAlerts(),
  ];
}

/** The alerts on the package's own telemetry pipeline (its self-metrics). */
function pipelineAlerts(): AlertingRule[] {
  const lost = (name: string): string => `sum ${by(name, ['job', 'reason'])} (rate(${selector(name)}[5m])) > 0`;
  const overflow = 'grey_observability_tenant_overflow_total';
  return [
    alert(
      'GreyObservabilitySpansLost',
      // The failed and dropped reasons are disjoint, so `or` keeps every series of both.
      `${lost('grey_observability_spans_failed_total')} or ${lost('grey_observability_spans_dropped_total')}`,
      '10m',
      'warning',
      'Spans lost by {{ $labels.job }} ({{ $labels.reason }})',
      '{{ $labels.job }} has lost {{ $value }} spans per second ({{ $labels.reason }}) for 10 minutes, so traces are ' +
        'incomplete. timeout, unavailable, rejected, shutdown or other: the OTLP collector is slow, unreachable or ' +
        'refusing exports (check opentelemetry.exporter.endpoint and the collector, or run grey-observability ' +
        'doctor); queue_full, capture_trace_evicted or capture_trace_full: a bounded span buffer is too small for ' +
        'the span rate (opentelemetry.batch.max_queue_size, sampling.error_capture). A deployment without a ' +
        'collector: turn tracing off (opentelemetry.enabled: false or OTEL_SDK_DISABLED=true) and this alert stays quiet.',
      'observability-spans-lost',
    ),
    alert(
      'GreyObservabilityTenantOverflow',
      `sum ${by(overflow, ['job', 'metric'])} (rate(${selector(overflow)}[5m])) > 0`,
      '5m',
      'warning',
      'Tenant budget of {{ $labels.metric }} full in {{ $labels.job }}',
      '{{ $labels.job }} records {{ $value }} measurements per second of {{ $labels.metric }} under the overflow ' +
        'tenant: more distinct tenants than tenancy.max_tenants_per_metric reported it, and per-tenant panels and ' +
        'alerts miss the tenants beyond the budget.',
      'observability-tenant-overflow',
    ),
  ];
}

/** The rule file with both groups. */
export function ruleFile(): RuleFile {
  return {
    groups: [
      { name: 'grey-recording', rules: recordingRules() },
      { name: 'grey-alerts', rules: alertingRules() },
    ],
  };
}
