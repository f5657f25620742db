import { PLACEHOLDER, type MonitoringKitOptions } from './kit-options.js';

/** Receiver names of the Alertmanager config, by the `severity` label the alerts carry. */
const RECEIVERS = { warning: 'grey-warning', critical: 'grey-critical' } as const;

/**
 * The Alertmanager config for the generated alerts: grouped by alert, job and tenant; one route
 * and receiver per `severity` (critical pages through `--critical-webhook-url`, warning goes to
 * `--warning-webhook-url`; an alert without a known severity falls to the warning receiver); a
 * firing GreyClusterCritical silences GreyClusterDegraded of the same job (both fire below 50 %
 * active nodes). A webhook not given is an explicit placeholder on a `.invalid` host.
 */
export function alertmanagerConfig(options: MonitoringKitOptions): object {
  const receiver = (name: string, url: string) => ({ name, webhook_configs: [{ url, send_resolved: true }] });
  return {
    route: {
      receiver: RECEIVERS.warning,
      group_by: ['alertname', 'job', 'tenant'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        { receiver: RECEIVERS.critical, matchers: ['severity="critical"'], repeat_interval: '1h' },
        { receiver: RECEIVERS.warning, matchers: ['severity="warning"'] },
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
      receiver(RECEIVERS.warning, options.webhooks.warning ?? PLACEHOLDER.warningWebhook),
      receiver(RECEIVERS.critical, options.webhooks.critical ?? PLACEHOLDER.criticalWebhook),
    ],
  };
}
