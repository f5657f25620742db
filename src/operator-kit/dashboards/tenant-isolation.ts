import { steps, type DashboardSpec } from '../dashboard-spec.js';
import { by, selector } from '../promql.js';

const d = (name: string): string => selector(name, { scope: 'dashboard' });
const perTenant = (name: string, inner: string): string => `sum ${by(name, ['tenant'])} (${inner})`;

/** The spec's "Tenant Isolation" dashboard. */
export function tenantIsolation(): DashboardSpec {
  return {
    uid: 'grey-tenant-isolation',
    title: 'Grey / Tenant Isolation',
    description: 'Per-tenant resources, quotas, rate limits, task counts and estimated cost.',
    panels: [
      {
        title: 'Resource Usage by Tenant',
        description: 'CPU (cores) stacked by tenant; memory (bytes, right axis) stacked by tenant.',
        kind: 'timeseries',
        unit: 'short',
        min: 0,
        stacked: true,
        bars: true,
        thresholds: steps(),
        queries: [
          {
            expr: perTenant(
              'grey_tenant_cpu_seconds_total',
              `rate(${d('grey_tenant_cpu_seconds_total')}[$__rate_interval])`,
            ),
            legend: '{{tenant}} CPU',
          },
          {
            expr: perTenant('grey_tenant_memory_bytes', d('grey_tenant_memory_bytes')),
            legend: '{{tenant}} memory',
            unit: 'bytes',
          },
        ],
        width: 24,
      },
      {
        title: 'Quota Utilization',
        description: 'Share of each tenant quota in use, per resource; red from 95 %.',
        kind: 'gauge',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: steps([0.8, 'orange'], [0.95, 'red']),
        queries: [
          {
            expr: `max ${by('grey_tenant_quota_utilization_ratio', ['tenant', 'resource'])} (${d('grey_tenant_quota_utilization_ratio')})`,
            legend: '{{tenant}} {{resource}}',
            instant: true,
          },
        ],
      },
      {
        title: 'Rate Limit Status',
        description: 'Task submissions per second against each tenant limit, and submissions refused.',
        kind: 'timeseries',
        unit: 'ops',
        min: 0,
        thresholds: steps(),
        queries: [
          {
            expr: perTenant('grey_tasks_submitted_total', `rate(${d('grey_tasks_submitted_total')}[$__rate_interval])`),
            legend: '{{tenant}} current',
          },
          {
            expr: `max ${by('grey_tenant_rate_limit_per_second', ['tenant'])} (${d('grey_tenant_rate_limit_per_second')})`,
            legend: '{{tenant}} limit',
          },
          {
            expr: perTenant(
              'grey_tenant_rate_limited_total',
              `rate(${d('grey_tenant_rate_limited_total')}[$__rate_interval])`,
            ),
            legend: '{{tenant}} refused',
          },
        ],
      },
      {
        title: 'Task Count by Tenant',
        description: 'Tasks submitted per interval, by tenant.',
        kind: 'timeseries',
        unit: 'short',
        min: 0,
        thresholds: steps(),
        queries: [
          {
            expr: perTenant(
              'grey_tasks_submitted_total',
              `increase(${d('grey_tasks_submitted_total')}[$__rate_interval])`,
            ),
            legend: '{{tenant}}',
          },
        ],
      },
      {
        title: 'Cost per Tenant',
        description: 'Estimated cost over the dashboard range, in the billing unit the service reports.',
        kind: 'bargauge',
        unit: 'short',
        min: 0,
        thresholds: steps(),
        queries: [
          {
            expr: perTenant('grey_tenant_cost_total', `increase(${d('grey_tenant_cost_total')}[$__range])`),
            legend: '{{tenant}}',
            instant: true,
          },
        ],
      },
    ],
  };
}
