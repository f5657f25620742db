import { steps, type DashboardSpec } from '../dashboard-spec.js';
import { by, selector } from '../promql.js';

const d = (name: string): string => selector(name, { scope: 'dashboard' });
const rate = (name: string): string => `rate(${d(name)}[$__rate_interval])`;
const sumBy = (name: string, labels: readonly string[], inner: string): string => `sum ${by(name, labels)} (${inner})`;

const EXPORTED = 'grey_observability_spans_exported_total';
const FAILED = 'grey_observability_spans_failed_total';
const DROPPED = 'grey_observability_spans_dropped_total';
const METRIC_ERRORS = 'grey_observability_metric_errors_total';
const OVERFLOW = 'grey_observability_tenant_overflow_total';
const ADMITTED = 'grey_observability_tenant_admitted';
const LIMIT = 'grey_observability_tenant_limit';
const TENANT_DROPPED = 'grey_observability_baggage_tenant_dropped_total';

/**
 * The package's own telemetry pipeline (not one of the spec's dashboards): spans delivered to and
 * lost on the way to the OTLP collector, measurements the metrics part rejected, and the tenant
 * budget of each tenant-aware metric. Its metrics carry no `tenant` label, so it has no tenant
 * variable. The span panels stay at 0 for a service whose tracing is off (initObservability()
 * exposes the span counters either way).
 */
export function observabilityPipeline(): DashboardSpec {
  return {
    uid: 'grey-observability-pipeline',
    title: 'Grey / Observability Pipeline',
    description:
      'Health of @grey/observability itself: spans exported, failed and dropped, rejected measurements, tenant overflow, tenants not propagated and tenant budgets.',
    panels: [
      {
        title: 'Spans Exported',
        description: `Spans the OTLP collector acknowledged per second, by job (${EXPORTED}).`,
        kind: 'timeseries',
        unit: 'ops',
        min: 0,
        thresholds: steps(),
        queries: [{ expr: sumBy(EXPORTED, ['job'], rate(EXPORTED)), legend: '{{job}}' }],
      },
      {
        title: 'Spans Failed by Reason',
        description:
          `Spans lost per second because their OTLP export failed, by reason: timeout, unavailable, rejected, ` +
          `shutdown, other (${FAILED}; alert GreyObservabilitySpansLost).`,
        kind: 'timeseries',
        unit: 'ops',
        min: 0,
        stacked: true,
        thresholds: steps(),
        queries: [{ expr: sumBy(FAILED, ['reason'], rate(FAILED)), legend: '{{reason}}' }],
      },
      {
        title: 'Spans Dropped by Reason',
        description:
          `Finished spans dropped per second before export because a bounded buffer was full, by reason: ` +
          `queue_full, capture_trace_evicted, capture_trace_full (${DROPPED}; alert GreyObservabilitySpansLost).`,
        kind: 'timeseries',
        unit: 'ops',
        min: 0,
        stacked: true,
        thresholds: steps(),
        queries: [{ expr: sumBy(DROPPED, ['reason'], rate(DROPPED)), legend: '{{reason}}' }],
      },
      {
        title: 'Measurements Rejected by Metric',
        description:
          `Measurements a metric rejected and dropped per second (unknown label, negative counter increment, ` +
          `not a number), by metric (${METRIC_ERRORS}).`,
        kind: 'timeseries',
        unit: 'ops',
        min: 0,
        thresholds: steps(),
        queries: [{ expr: sumBy(METRIC_ERRORS, ['metric'], rate(METRIC_ERRORS)), legend: '{{metric}}' }],
      },
      {
        title: 'Tenant Overflow by Metric',
        description:
          `Measurements per second whose tenant was folded into the overflow value because the metric's tenant ` +
          `budget (tenancy.max_tenants_per_metric) was full, by metric (${OVERFLOW}; alert GreyObservabilityTenantOverflow).`,
        kind: 'timeseries',
        unit: 'ops',
        min: 0,
        thresholds: steps(),
        queries: [{ expr: sumBy(OVERFLOW, ['metric'], rate(OVERFLOW)), legend: '{{metric}}' }],
      },
      {
        title: 'Tenant Not Propagated by Reason',
        description:
          `Outgoing requests per second whose baggage header could not carry the tenant id, by reason: too_long ` +
          `(over the W3C limit of 4,096 bytes per member), not_encodable (${TENANT_DROPPED}); downstream services ` +
          `did not see the tenant.`,
        kind: 'timeseries',
        unit: 'ops',
        min: 0,
        stacked: true,
        thresholds: steps(),
        queries: [{ expr: sumBy(TENANT_DROPPED, ['reason'], rate(TENANT_DROPPED)), legend: '{{reason}}' }],
      },
      {
        title: 'Tenants Admitted vs Limit',
        description:
          `Distinct tenants admitted as a share of the tenant budget, per metric, on the fullest instance ` +
          `(${ADMITTED} / ${LIMIT}; allowlisted tenants are outside the budget); at 100 % new tenants overflow.`,
        kind: 'bargauge',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: steps([0.8, 'orange'], [1, 'red']),
        queries: [
          {
            expr: `max ${by(ADMITTED, ['metric'])} (${d(ADMITTED)} / ${d(LIMIT)})`,
            legend: '{{metric}}',
            instant: true,
          },
        ],
      },
    ],
  };
}
