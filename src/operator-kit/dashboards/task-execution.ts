import { steps, type DashboardSpec } from '../dashboard-spec.js';
import { by, selector } from '../promql.js';

const d = (name: string): string => selector(name, { scope: 'dashboard' });

/** The spec's "Task Execution" dashboard. */
export function taskExecution(): DashboardSpec {
  const rate = (name: string): string => `sum(rate(${d(name)}[$__rate_interval]))`;
  const latency = (q: number, match?: Record<string, string>): string =>
    `histogram_quantile(${q}, sum ${by('grey_task_duration_seconds', ['le'])} ` +
    `(rate(${selector('grey_task_duration_seconds', { scope: 'dashboard', suffix: '_bucket', match })}[$__rate_interval])))`;
  const failed = `(${rate('grey_tasks_failed_total')} or vector(0))`;
  return {
    uid: 'grey-task-execution',
    title: 'Grey / Task Execution',
    description: 'Task outcomes, latency, per-tenant throughput, failures, retries and error codes.',
    panels: [
      {
        title: 'Task Status Distribution',
        description: 'Tasks completed and failed over the dashboard range, and running now.',
        kind: 'piechart',
        unit: 'short',
        thresholds: steps(),
        queries: [
          { expr: `sum(increase(${d('grey_tasks_completed_total')}[$__range]))`, legend: 'completed', instant: true },
          { expr: `sum(${d('grey_tasks_running')})`, legend: 'running', instant: true },
          { expr: `sum(increase(${d('grey_tasks_failed_total')}[$__range]))`, legend: 'failed', instant: true },
        ],
        width: 8,
      },
      {
        title: 'Task Latency Heatmap',
        description:
          'Task duration p50, p95 and p99 over time, of completed and failed tasks alike (a timeout is a slow ' +
          'task), and the p99 of failed tasks alone; red from 5 s (GreyHighTaskLatency).',
        kind: 'timeseries',
        unit: 's',
        min: 0,
        thresholds: steps([1, 'orange'], [5, 'red']),
        queries: [
          { expr: latency(0.5), legend: 'p50' },
          { expr: latency(0.95), legend: 'p95' },
          { expr: latency(0.99), legend: 'p99' },
          { expr: latency(0.99, { outcome: 'failed' }), legend: 'p99 failed' },
        ],
        width: 16,
      },
      {
        title: 'Task Throughput by Tenant',
        description: 'Tasks completed per second, stacked by tenant.',
        kind: 'timeseries',
        unit: 'ops',
        min: 0,
        stacked: true,
        thresholds: steps(),
        queries: [
          {
            expr: `sum ${by('grey_tasks_completed_total', ['tenant'])} (rate(${d('grey_tasks_completed_total')}[$__rate_interval]))`,
            legend: '{{tenant}}',
          },
        ],
      },
      {
        title: 'Failure Rate',
        description:
          'Failed tasks as a share of finished tasks (completed + failed); red from 5 % (GreyHighTaskFailureRate).',
        kind: 'timeseries',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: steps([0.01, 'orange'], [0.05, 'red']),
        queries: [{ expr: `${failed} / (${rate('grey_tasks_completed_total')} + ${failed})`, legend: 'failure rate' }],
      },
      {
        title: 'Retry Distribution',
        description: 'Finished tasks by the number of retries they needed, over the dashboard range.',
        kind: 'bargauge',
        unit: 'short',
        min: 0,
        thresholds: steps(),
        queries: [
          {
            expr: `sum ${by('grey_task_retries', ['le'])} (increase(${selector('grey_task_retries', { scope: 'dashboard', suffix: '_bucket' })}[$__range]))`,
            legend: '≤ {{le}} retries',
            format: 'heatmap',
            instant: true,
          },
        ],
      },
      {
        title: 'Top Errors',
        description: 'The ten error codes with the most failed attempts over the dashboard range.',
        kind: 'table',
        unit: 'short',
        thresholds: steps(),
        queries: [
          {
            expr: `topk(10, sum ${by('grey_task_errors_total', ['code', 'type'])} (increase(${d('grey_task_errors_total')}[$__range])))`,
            format: 'table',
            instant: true,
          },
        ],
      },
    ],
  };
}
