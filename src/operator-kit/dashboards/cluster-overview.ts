import { steps, type DashboardSpec } from '../dashboard-spec.js';
import { by, selector } from '../promql.js';

const d = (name: string, match?: Record<string, string>): string => selector(name, { scope: 'dashboard', match });

/** The spec's "Cluster Overview" dashboard. */
export function clusterOverview(): DashboardSpec {
  const nodes = 'grey_cluster_nodes_total';
  const tasks = (name: string): string => `sum(rate(${d(name)}[$__rate_interval]))`;
  return {
    uid: 'grey-cluster-overview',
    title: 'Grey / Cluster Overview',
    description: 'Cluster health, nodes, resources, task throughput, queue depth and consensus.',
    panels: [
      {
        title: 'Cluster Health',
        description:
          'Share of nodes that are active: healthy from 80 %, degraded from 50 %, critical below ' +
          '(the thresholds of GreyClusterDegraded and GreyClusterCritical).',
        kind: 'stat',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: [
          { value: null, color: 'red' },
          { value: 0.5, color: 'orange' },
          { value: 0.8, color: 'green' },
        ],
        rangeTexts: [
          { from: 0.8, to: 1, text: 'healthy', color: 'green' },
          { from: 0.5, to: 0.7999999, text: 'degraded', color: 'orange' },
          { from: 0, to: 0.4999999, text: 'critical', color: 'red' },
        ],
        // `or vector(0)`: when no node is active the active series may be absent, which is critical, not "No data".
        queries: [{ expr: `(sum(${d(nodes, { status: 'active' })}) or vector(0)) / sum(${d(nodes)})`, instant: true }],
        width: 6,
      },
      {
        title: 'Node Map',
        description: 'Nodes per region and status (grey_cluster_region_nodes).',
        kind: 'bargauge',
        unit: 'short',
        min: 0,
        thresholds: steps(),
        queries: [
          {
            expr: `sum ${by('grey_cluster_region_nodes', ['region', 'status'])} (${d('grey_cluster_region_nodes')})`,
            legend: '{{region}} {{status}}',
            instant: true,
          },
        ],
        width: 6,
      },
      {
        title: 'Resource Utilization',
        description: 'Cluster CPU and memory utilization (average over the selected jobs).',
        kind: 'gauge',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: steps([0.7, 'orange'], [0.9, 'red']),
        queries: [
          { expr: `avg(${d('grey_cluster_cpu_utilization_ratio')})`, legend: 'CPU', instant: true },
          { expr: `avg(${d('grey_cluster_memory_utilization_ratio')})`, legend: 'Memory', instant: true },
        ],
        width: 12,
      },
      {
        title: 'Task Throughput',
        description: 'Tasks per second submitted, completed and failed.',
        kind: 'timeseries',
        unit: 'ops',
        min: 0,
        thresholds: steps(),
        queries: [
          { expr: tasks('grey_tasks_submitted_total'), legend: 'submitted' },
          { expr: tasks('grey_tasks_completed_total'), legend: 'completed' },
          { expr: tasks('grey_tasks_failed_total'), legend: 'failed' },
        ],
      },
      {
        title: 'Queue Depth',
        description: 'Tasks waiting, by priority; red from 10,000 (GreyQueueBacklog).',
        kind: 'bargauge',
        unit: 'short',
        min: 0,
        thresholds: steps([1000, 'orange'], [10000, 'red']),
        queries: [
          {
            expr: `sum ${by('grey_queue_depth', ['priority'])} (${d('grey_queue_depth')})`,
            legend: '{{priority}}',
            instant: true,
          },
        ],
      },
      {
        title: 'Consensus Status',
        description: 'Raft leader, term, commit index and quorum size; "Leaders" is 0 when no leader is elected.',
        kind: 'stat',
        unit: 'none',
        thresholds: steps(),
        queries: [
          {
            expr: `max ${by('grey_consensus_leader', ['node_id'])} (${d('grey_consensus_leader')}) > 0`,
            legend: 'Leader {{node_id}}',
            instant: true,
          },
          { expr: `sum(${d('grey_consensus_leader')})`, legend: 'Leaders', instant: true },
          { expr: `max(${d('grey_consensus_term')})`, legend: 'Term', instant: true },
          { expr: `max(${d('grey_consensus_commit_index')})`, legend: 'Commit index', instant: true },
          { expr: `max(${d('grey_consensus_quorum_size')})`, legend: 'Quorum size', instant: true },
        ],
        width: 24,
      },
    ],
  };
}
