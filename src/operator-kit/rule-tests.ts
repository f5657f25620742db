import { alertingRules } from './rules.js';

/**
 * `promtool test rules` cases for the generated rule file, as data. Each alert has series that
 * should trip it and series that should not, side by side in one group: promtool compares the
 * exact list of firing alerts, so a silent case that fired would fail the test. A second group is
 * a healthy cluster on which no alert may fire.
 */

interface Series {
  series: string;
  values: string;
}

interface ExpectedAlert {
  labels: Record<string, string>;
  /** What `{{ $value }}` renders to in the description (after its formatting function). */
  value: string;
}

/** Alerts expected at {@link EVAL_TIME}, by alert name (empty: silent). */
type AlertExpectations = Record<string, ExpectedAlert[]>;

/** Long enough for every `for:` (at most 10 m) and every 5 m window. */
const EVAL_TIME = '20m';
/** The minute of the failure burst of {@link BURST_SERIES}. */
const BURST_TIME = '10m';

const counter = (series: string, perMinute: number): Series => ({ series, values: `0+${perMinute}x30` });
const gauge = (series: string, value: number | string): Series => ({ series, values: `${value}x30` });

/**
 * A latency histogram growing by `counts` per minute for the given bounds (cumulative, `+Inf`
 * last); bounds as exposed (`le="0.1"`); tasks of `outcome` (completed unless given). With
 * `from`, the series are absent for the first `from` minutes and then start at 0, as a tenant's
 * series do when it first appears.
 */
function histogram(
  tenant: string,
  counts: Array<[string, number]>,
  outcome: 'completed' | 'failed' = 'completed',
  from = 0,
): Series[] {
  return counts.map(([le, perMinute]) => ({
    series: `grey_task_duration_seconds_bucket{job="grey",tenant="${tenant}",outcome="${outcome}",le="${le}"}`,
    values: from === 0 ? `0+${perMinute}x30` : `_x${from} 0+${perMinute}x${30 - from}`,
  }));
}

const BUCKETS = ['0.1', '1', '5', '10', '30', '+Inf'];

/** Series where each alert should fire for one label set and stay silent for others. */
const TRIP_SERIES: Series[] = [
  // Cluster: healthy 90 % active; degraded 70 %; critical 40 %; all down (no active series at all);
  // a two-minute dip to 70 % (shorter than the 5 m `for`).
  gauge('grey_cluster_nodes_total{job="healthy",role="worker",status="active"}', 9),
  gauge('grey_cluster_nodes_total{job="healthy",role="worker",status="down"}', 1),
  gauge('grey_cluster_nodes_total{job="degraded",role="worker",status="active"}', 7),
  gauge('grey_cluster_nodes_total{job="degraded",role="worker",status="down"}', 3),
  gauge('grey_cluster_nodes_total{job="critical",role="worker",status="active"}', 4),
  gauge('grey_cluster_nodes_total{job="critical",role="worker",status="down"}', 6),
  gauge('grey_cluster_nodes_total{job="alldown",role="worker",status="down"}', 10),
  { series: 'grey_cluster_nodes_total{job="blip",role="worker",status="active"}', values: '9x16 7 7 9x12' },
  gauge('grey_cluster_nodes_total{job="blip",role="worker",status="down"}', 1),
  // Consensus: one leader; no leader.
  gauge('grey_consensus_leader{job="healthy",node_id="a"}', 1),
  gauge('grey_consensus_leader{job="healthy",node_id="b"}', 0),
  gauge('grey_consensus_leader{job="noleader",node_id="a"}', 0),
  gauge('grey_consensus_leader{job="noleader",node_id="b"}', 0),
  // Tasks: good 100/101 succeed; bad 90 %; allfail (no completed series); backlog submits 10x
  // more than it finishes, without failures (the spec's completed/submitted would alert).
  counter('grey_tasks_completed_total{job="grey",tenant="good",type="stateless"}', 100),
  counter('grey_tasks_failed_total{job="grey",tenant="good",type="stateless"}', 1),
  counter('grey_tasks_completed_total{job="grey",tenant="bad",type="stateless"}', 90),
  counter('grey_tasks_failed_total{job="grey",tenant="bad",type="stateless"}', 10),
  counter('grey_tasks_failed_total{job="grey",tenant="allfail",type="stateless"}', 10),
  counter('grey_tasks_submitted_total{job="grey",tenant="backlog",type="stateless"}', 1000),
  counter('grey_tasks_completed_total{job="grey",tenant="backlog",type="stateless"}', 100),
  // Latency: good all under 0.1 s; bad has 10 % of tasks between 10 s and 30 s.
  ...histogram('good', [
    ['0.1', 100],
    ['1', 100],
    ['5', 100],
    ['10', 100],
    ['30', 100],
    ['+Inf', 100],
  ]),
  ...histogram('bad', [
    ['0.1', 0],
    ['1', 90],
    ['5', 90],
    ['10', 90],
    ['30', 100],
    ['+Inf', 100],
  ]),
  // Queue: 9,000 normal + 2,000 high = 11,000 for big (no single series above 10,000); small 500.
  gauge('grey_queue_depth{job="grey",tenant="big",priority="normal"}', 9000),
  gauge('grey_queue_depth{job="grey",tenant="big",priority="high"}', 2000),
  gauge('grey_queue_depth{job="grey",tenant="small",priority="normal"}', 500),
  // TEE: sgx fails 12/min = 0.2/s; tdx 3/min = 0.05/s.
  counter('grey_tee_attestations_total{job="grey",platform="sgx",result="failure"}', 12),
  counter('grey_tee_attestations_total{job="grey",platform="sgx",result="success"}', 600),
  counter('grey_tee_attestations_total{job="grey",platform="tdx",result="failure"}', 3),
  counter('grey_tee_attestations_total{job="grey",platform="tdx",result="success"}', 600),
  // Spans: grey loses 12/min = 0.2/s to an unreachable collector and 30/min = 0.5/s to a full
  // queue, for the whole range; its other reasons stay at 0. blip lost spans for the last 4
  // minutes only (shorter than the 10 m `for`); recovered lost spans in its first 5 minutes only.
  counter('grey_observability_spans_exported_total{job="grey"}', 6000),
  counter('grey_observability_spans_failed_total{job="grey",reason="unavailable"}', 12),
  gauge('grey_observability_spans_failed_total{job="grey",reason="timeout"}', 0),
  counter('grey_observability_spans_dropped_total{job="grey",reason="queue_full"}', 30),
  gauge('grey_observability_spans_dropped_total{job="grey",reason="capture_trace_full"}', 0),
  { series: 'grey_observability_spans_failed_total{job="blip",reason="timeout"}', values: '0x15 5 10 15 20 25x10' },
  { series: 'grey_observability_spans_dropped_total{job="recovered",reason="queue_full"}', values: '0+10x5 50x25' },
  // Tenant budget: grey folds 60 measurements/min = 1/s of grey_tasks_submitted_total; its
  // grey_queue_depth overflowed once long ago (a flat counter).
  counter(
    'grey_observability_tenant_overflow_total{job="grey",metric="grey_tasks_submitted_total",reason="budget"}',
    60,
  ),
  gauge('grey_observability_tenant_overflow_total{job="grey",metric="grey_queue_depth",reason="budget"}', 500),
];

const TRIP_ALERTS: AlertExpectations = {
  GreyClusterDegraded: [
    { labels: { job: 'degraded' }, value: '7' },
    { labels: { job: 'critical' }, value: '4' },
    { labels: { job: 'alldown' }, value: '0' },
  ],
  GreyClusterCritical: [
    { labels: { job: 'critical' }, value: '4' },
    { labels: { job: 'alldown' }, value: '0' },
  ],
  GreyConsensusNoLeader: [{ labels: { job: 'noleader' }, value: '0' }],
  GreyHighTaskFailureRate: [
    { labels: { job: 'grey', tenant: 'bad' }, value: '90%' },
    { labels: { job: 'grey', tenant: 'allfail' }, value: '0%' },
  ],
  GreyHighTaskLatency: [{ labels: { job: 'grey', tenant: 'bad' }, value: '28s' }],
  GreyQueueBacklog: [{ labels: { job: 'grey', tenant: 'big' }, value: '11000' }],
  GreyTEEAttestationFailure: [{ labels: { job: 'grey', platform: 'sgx' }, value: '0.2' }],
  GreyObservabilitySpansLost: [
    { labels: { job: 'grey', reason: 'unavailable' }, value: '0.2' },
    { labels: { job: 'grey', reason: 'queue_full' }, value: '0.5' },
  ],
  GreyObservabilityTenantOverflow: [{ labels: { job: 'grey', metric: 'grey_tasks_submitted_total' }, value: '1' }],
};

/** A healthy cluster: every metric an alert reads, at a healthy value. */
const HEALTHY_SERIES: Series[] = [
  gauge('grey_cluster_nodes_total{job="grey",role="worker",status="active"}', 14),
  gauge('grey_cluster_nodes_total{job="grey",role="coordinator",status="active"}', 3),
  gauge('grey_consensus_leader{job="grey",node_id="grey-coordinator-0"}', 1),
  gauge('grey_consensus_leader{job="grey",node_id="grey-coordinator-1"}', 0),
  counter('grey_tasks_submitted_total{job="grey",tenant="tenant-123",type="stateless"}', 1000),
  counter('grey_tasks_completed_total{job="grey",tenant="tenant-123",type="stateless"}', 990),
  counter('grey_tasks_failed_total{job="grey",tenant="tenant-123",type="stateless"}', 10),
  ...histogram('tenant-123', [
    ['0.1', 800],
    ['1', 990],
    ['5', 1000],
    ['10', 1000],
    ['30', 1000],
    ['+Inf', 1000],
  ]),
  gauge('grey_queue_depth{job="grey",tenant="tenant-123",priority="normal"}', 1234),
  gauge('grey_queue_depth{job="grey",tenant="tenant-123",priority="high"}', 45),
  counter('grey_tee_attestations_total{job="grey",platform="sgx",result="success"}', 1000),
  counter('grey_tee_attestations_total{job="grey",platform="sgx",result="failure"}', 1),
  // Tracing delivers every span; every tenant fits the budget (one overflow long ago).
  counter('grey_observability_spans_exported_total{job="grey"}', 6000),
  ...['timeout', 'unavailable', 'rejected', 'shutdown', 'other'].map((reason) =>
    gauge(`grey_observability_spans_failed_total{job="grey",reason="${reason}"}`, 0),
  ),
  ...['queue_full', 'capture_trace_evicted', 'capture_trace_full'].map((reason) =>
    gauge(`grey_observability_spans_dropped_total{job="grey",reason="${reason}"}`, 0),
  ),
  gauge('grey_observability_tenant_overflow_total{job="grey",metric="grey_tasks_submitted_total",reason="budget"}', 3),
  gauge('grey_observability_tenant_admitted{job="grey",metric="grey_tasks_submitted_total"}', 42),
  gauge('grey_observability_tenant_limit{job="grey",metric="grey_tasks_submitted_total"}', 100),
];

/**
 * A metrics-only deployment (`opentelemetry.enabled: false`): the span counters exist at 0, every
 * reason, and never move, whatever the tasks do.
 */
const METRICS_ONLY_SERIES: Series[] = [
  counter('grey_tasks_submitted_total{job="grey",tenant="tenant-123",type="stateless"}', 1000),
  counter('grey_tasks_completed_total{job="grey",tenant="tenant-123",type="stateless"}', 1000),
  gauge('grey_observability_spans_exported_total{job="grey"}', 0),
  ...['timeout', 'unavailable', 'rejected', 'shutdown', 'other'].map((reason) =>
    gauge(`grey_observability_spans_failed_total{job="grey",reason="${reason}"}`, 0),
  ),
  ...['queue_full', 'capture_trace_evicted', 'capture_trace_full'].map((reason) =>
    gauge(`grey_observability_spans_dropped_total{job="grey",reason="${reason}"}`, 0),
  ),
];

/**
 * Failure bursts, slow failures and tenants that appear late, with their series as the package
 * exposes them: every sibling of a tenant's first series exists at 0 from then on (absent before,
 * not all starting at 0), and failed tasks have durations. Minute 10 is the burst.
 */
const BURST_SERIES: Series[] = [
  // steady: 8 tasks a minute succeed all along; 20 fail between the scrapes of minutes 9 and 10.
  counter('grey_tasks_completed_total{job="grey",tenant="steady",type="stateless"}', 8),
  { series: 'grey_tasks_failed_total{job="grey",tenant="steady",type="stateless"}', values: '0x9 20x20' },
  // unseeded: the same, with the failed series born at 20 (what a client without series at 0 shows).
  counter('grey_tasks_completed_total{job="grey",tenant="unseeded",type="stateless"}', 8),
  { series: 'grey_tasks_failed_total{job="grey",tenant="unseeded",type="stateless"}', values: '_x10 20x20' },
  // late: a tenant first seen at minute 5, whose series start there at 0; half its tasks fail.
  { series: 'grey_tasks_completed_total{job="grey",tenant="late",type="stateless"}', values: '_x5 0+5x25' },
  { series: 'grey_tasks_failed_total{job="grey",tenant="late",type="stateless"}', values: '_x5 0+5x25' },
  // slow: from minute 3, 10 fast completions a minute and one failure after 6.5 s (a timeout).
  { series: 'grey_tasks_completed_total{job="grey",tenant="slow",type="stateless"}', values: '_x3 0+10x27' },
  { series: 'grey_tasks_failed_total{job="grey",tenant="slow",type="stateless"}', values: '_x3 0+1x27' },
  ...histogram(
    'slow',
    BUCKETS.map((le) => [le, 10]),
    'completed',
    3,
  ),
  ...histogram(
    'slow',
    BUCKETS.map((le) => [le, ['10', '30', '+Inf'].includes(le) ? 1 : 0]),
    'failed',
    3,
  ),
];

/** Alerts expected at {@link EVAL_TIME} on {@link BURST_SERIES}. */
const BURST_ALERTS: AlertExpectations = {
  GreyHighTaskFailureRate: [
    { labels: { job: 'grey', tenant: 'late' }, value: '50%' },
    { labels: { job: 'grey', tenant: 'slow' }, value: '90.91%' },
  ],
  // rank 10.89 of 11 tasks a minute falls in (5, 10], which holds the one failure: 5 + 5 * 0.89.
  GreyHighTaskLatency: [{ labels: { job: 'grey', tenant: 'slow' }, value: '9.45s' }],
};

/** What the rules read right after the burst (minute 10). */
const BURST_VALUES = [
  {
    expr: 'increase(grey_tasks_failed_total{tenant="steady"}[5m])',
    samples: [{ labels: '{job="grey",tenant="steady",type="stateless"}', value: 20 }],
  },
  // 40 tasks completed and 20 failed in the window.
  {
    expr: 'grey:task_success_rate:5m{tenant="steady"}',
    samples: [{ labels: 'grey:task_success_rate:5m{job="grey",tenant="steady"}', value: 40 / 60 }],
  },
  // Born at 20, the burst is invisible: no increase, and a success rate of 1.
  {
    expr: 'increase(grey_tasks_failed_total{tenant="unseeded"}[5m])',
    samples: [],
  },
  {
    expr: 'grey:task_success_rate:5m{tenant="unseeded"}',
    samples: [{ labels: 'grey:task_success_rate:5m{job="grey",tenant="unseeded"}', value: 1 }],
  },
];

/** Expected values of the recording rules on {@link TRIP_SERIES}. */
const RECORDED_VALUES = [
  {
    expr: 'grey:task_success_rate:5m',
    samples: [
      { labels: 'grey:task_success_rate:5m{job="grey",tenant="good"}', value: 100 / 101 },
      { labels: 'grey:task_success_rate:5m{job="grey",tenant="bad"}', value: 0.9 },
      { labels: 'grey:task_success_rate:5m{job="grey",tenant="allfail"}', value: 0 },
      { labels: 'grey:task_success_rate:5m{job="grey",tenant="backlog"}', value: 1 },
    ],
  },
  {
    expr: 'grey:task_latency_p99:5m',
    samples: [
      // 99 % of 100 tasks under 0.1 s: interpolated inside the first bucket.
      { labels: 'grey:task_latency_p99:5m{job="grey",tenant="good"}', value: 0.099 },
      // rank 99 of 100 falls in (10, 30] which holds 10: 10 + 20 * 9/10.
      { labels: 'grey:task_latency_p99:5m{job="grey",tenant="bad"}', value: 28 },
    ],
  },
  {
    expr: 'grey:tasks_failed:rate5m{tenant="bad"}',
    samples: [{ labels: 'grey:tasks_failed:rate5m{job="grey",tenant="bad"}', value: 10 / 60 }],
  },
  {
    expr: 'grey:tasks_completed:rate5m{tenant="bad"}',
    samples: [{ labels: 'grey:tasks_completed:rate5m{job="grey",tenant="bad"}', value: 90 / 60 }],
  },
];

/** The spec's own expressions, which these series show to be wrong (kept as evidence). */
const SPEC_EXPRESSIONS_THAT_FAIL = [
  // Compares each series with itself: never true, even for the 40 %-active job.
  { expr: 'grey_cluster_nodes_total{status="active"} < grey_cluster_nodes_total * 0.5', samples: [] },
  // Completed / submitted reads the healthy backlog as a 10 % success rate.
  {
    expr: 'sum(rate(grey_tasks_completed_total{tenant="backlog"}[5m])) by (tenant) / sum(rate(grey_tasks_submitted_total{tenant="backlog"}[5m])) by (tenant)',
    samples: [{ labels: '{tenant="backlog"}', value: 0.1 }],
  },
  // Buckets ending at 5 s: a p99 far above 5 s reads as exactly 5, which is not > 5.
  {
    expr: 'histogram_quantile(0.99, sum by (le) (rate(grey_task_duration_seconds_bucket{tenant="bad",le=~"0.1|1|5|\\\\+Inf"}[5m])))',
    samples: [{ labels: '{}', value: 5 }],
  },
];

/**
 * An expression test compared to 1/1000: promtool compares floats exactly, and rates carry float
 * noise (0.8999999999999999 for 0.9). `round(x, 0.001)` divides by exactly 1000, so it gives the
 * same double as the decimal written here. round() drops the metric name.
 */
function rounded(test: { expr: string; samples: Array<{ labels: string; value: number }> }, evalTime = EVAL_TIME) {
  return {
    expr: `round(${test.expr}, 0.001)`,
    eval_time: evalTime,
    exp_samples: test.samples.map((sample) => ({
      labels: sample.labels.replace(/^[^{]*/, ''),
      value: Math.round(sample.value * 1000) / 1000,
    })),
  };
}

function renderAnnotations(annotations: Record<string, string>, labels: Record<string, string>, value: string) {
  const rendered: Record<string, string> = {};
  for (const [key, text] of Object.entries(annotations)) {
    rendered[key] = text
      .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? '')
      .replace(/\{\{ \$value( \| \w+)? \}\}/g, value);
  }
  return rendered;
}

function alertTests(expectations: AlertExpectations) {
  return alertingRules().map((rule) => ({
    eval_time: EVAL_TIME,
    alertname: rule.alert,
    exp_alerts: (expectations[rule.alert] ?? []).map((expected) => ({
      exp_labels: { ...expected.labels, severity: rule.labels.severity },
      exp_annotations: renderAnnotations(rule.annotations, expected.labels, expected.value),
    })),
  }));
}

/** The promtool test file (YAML-ready) for the rule file named `ruleFile`. */
export function promtoolTests(ruleFile: string): object {
  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: [
      {
        name: 'each alert fires on the state it names, and not on its neighbours',
        interval: '1m',
        input_series: TRIP_SERIES,
        alert_rule_test: alertTests(TRIP_ALERTS),
        promql_expr_test: [...RECORDED_VALUES, ...SPEC_EXPRESSIONS_THAT_FAIL].map((test) => rounded(test)),
      },
      {
        name: 'a failure burst, slow failures and late tenants are seen by the rules',
        interval: '1m',
        input_series: BURST_SERIES,
        alert_rule_test: alertTests(BURST_ALERTS),
        promql_expr_test: BURST_VALUES.map((test) => rounded(test, BURST_TIME)),
      },
      {
        name: 'a metrics-only deployment (tracing off) keeps GreyObservabilitySpansLost quiet',
        interval: '1m',
        input_series: METRICS_ONLY_SERIES,
        alert_rule_test: alertTests({}).filter((test) => test.alertname === 'GreyObservabilitySpansLost'),
      },
      {
        name: 'no alert fires on a healthy cluster',
        interval: '1m',
        input_series: HEALTHY_SERIES,
        alert_rule_test: alertTests({}),
      },
    ],
  };
}

/** Alert names with at least one firing case, and with a silent case, in {@link promtoolTests}. */
export const COVERED_ALERTS = Object.keys(TRIP_ALERTS);

/** Bucket bounds the histogram cases use (the default `prometheus.latency_buckets` must hold them). */
export const CASE_BUCKETS = BUCKETS;
