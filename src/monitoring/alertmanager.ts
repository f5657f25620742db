/**
 * An example Alertmanager config for the generated alerts: grouped by alert, job and tenant;
 * `severity: critical` pages, `warning` goes to the team channel; a firing GreyClusterCritical
 * silences GreyClusterDegraded of the same job (both fire below 50 % active nodes).
 */
export function alertmanagerConfig(): object {
  return {
    route: {
      receiver: 'grey-team',
      group_by: ['alertname', 'job', 'tenant'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        { receiver: 'grey-pager', matchers: ['severity="critical"'], repeat_interval: '1h' },
        { receiver: 'grey-team', matchers: ['severity="warning"'] },
      ],
    },
    inhibit_rules: [
      {
        source_matchers: ['alertname="GreyClusterCritical"'],
        target_matchers: ['alertname="GreyClusterDegraded"'],
        equal: ['job'],
      },
    ],
    receivers: [
      { name: 'grey-team', webhook_configs: [{ url: 'http://alert-webhook:5001/grey-team', send_resolved: true }] },
      { name: 'grey-pager', webhook_configs: [{ url: 'http://alert-webhook:5001/grey-pager', send_resolved: true }] },
    ],
  };
}
