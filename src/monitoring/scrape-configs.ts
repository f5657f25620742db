import { configSchema } from '../config/schema.js';

/**
 * Example Prometheus configs for a service using this package: the spec's Kubernetes pod
 * discovery (with the pod annotations it relies on) and a static target list. Both load the
 * generated rule file and send alerts to Alertmanager. Plain objects; artifacts.ts writes YAML.
 */

/** Port of the endpoint: the default of `prometheus.port`. */
const METRICS_PORT = configSchema.prometheus.port.default;
/** Path of the endpoint: the default of `prometheus.path`. */
const METRICS_PATH = configSchema.prometheus.path.default;

/** Path of the rule file as seen from `monitoring/examples/` (where the example configs live). */
const RULE_FILE = '../prometheus/grey-rules.yml';

const COMMON = {
  global: { scrape_interval: '15s', evaluation_interval: '15s' },
  rule_files: [RULE_FILE],
  alerting: { alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9093'] }] }] },
};

/**
 * The spec's `grey-cluster` job: pods labelled `app=grey` with `prometheus.io/scrape: "true"`,
 * scraped on the annotated port and path. Added to the spec: namespace and pod as target labels.
 */
export function kubernetesScrapeConfig(): object {
  return {
    ...COMMON,
    scrape_configs: [
      {
        job_name: 'grey-cluster',
        kubernetes_sd_configs: [{ role: 'pod', selectors: [{ role: 'pod', label: 'app=grey' }] }],
        relabel_configs: [
          {
            source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'],
            action: 'keep',
            regex: 'true',
          },
          {
            source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'],
            action: 'replace',
            target_label: '__metrics_path__',
            regex: '(.+)',
          },
          {
            source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
            action: 'replace',
            regex: '([^:]+)(?::\\d+)?;(\\d+)',
            replacement: '$1:$2',
            target_label: '__address__',
          },
          { source_labels: ['__meta_kubernetes_namespace'], action: 'replace', target_label: 'namespace' },
          { source_labels: ['__meta_kubernetes_pod_name'], action: 'replace', target_label: 'pod' },
        ],
      },
    ],
  };
}

/** A fixed list of `host:port` targets (VMs, docker compose). */
export function staticScrapeConfig(): object {
  return {
    ...COMMON,
    scrape_configs: [
      {
        job_name: 'grey',
        metrics_path: METRICS_PATH,
        static_configs: [
          { targets: [`grey-1:${METRICS_PORT}`, `grey-2:${METRICS_PORT}`], labels: { environment: 'production' } },
        ],
      },
    ],
  };
}

/**
 * The pod template fragment the Kubernetes config relies on: the `app: grey` label the selector
 * matches and the `prometheus.io/*` annotations the relabelling reads.
 */
export function podTemplateExample(): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'grey-service', labels: { app: 'grey' } },
    spec: {
      selector: { matchLabels: { app: 'grey' } },
      template: {
        metadata: {
          labels: { app: 'grey' },
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(METRICS_PORT),
            'prometheus.io/path': METRICS_PATH,
          },
        },
        spec: {
          containers: [
            {
              name: 'grey-service',
              image: 'grey-service:latest',
              ports: [{ name: 'metrics', containerPort: METRICS_PORT }],
              env: [{ name: 'GREY_SERVICE_NAME', value: 'grey-service' }],
            },
          ],
        },
      },
    },
  };
}
