import type { Artifact } from './artifacts.js';
import { PLACEHOLDER, type MonitoringKitOptions } from './kit-options.js';
import type { RuleFile } from './rules.js';
import { SCRAPE_INTERVAL_SECONDS, scrapeTimeoutSeconds } from './scrape-configs.js';

/**
 * The Kubernetes objects of the kit, as plain objects (kit.ts writes them as YAML): the service's
 * Deployment and Service, the Prometheus Operator's `PodMonitor`, `ServiceMonitor` and
 * `PrometheusRule` (kube-prometheus-stack), and one ConfigMap per dashboard for Grafana's
 * dashboard sidecar. They agree with each other: the monitors select the labels the Deployment
 * and Service carry, on the port named {@link METRICS_PORT_NAME}, and set the kit's `job`.
 */

/** Name of the container and Service port of the metrics endpoint, which the monitors select. */
const METRICS_PORT_NAME = 'metrics';

/** Label Grafana's dashboard sidecar (kube-prometheus-stack) looks for on ConfigMaps. */
const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;

/** Seconds the Deployment's `preStop` hook waits while the pod leaves the Service's endpoints. */
const PRE_STOP_SECONDS = 5;
/** Seconds the example leaves the service to finish its requests in flight after SIGTERM. */
const DRAIN_SECONDS = 15;
/** Seconds to spare after shutdown() before the kubelet's SIGKILL. */
const MARGIN_SECONDS = 5;

/**
 * `terminationGracePeriodSeconds` for the service's shutdown (docs/kubernetes.md, "Shutdown"):
 * preStop + draining + `shutdown_timeout_ms` (rounded up) + a margin; 30 s with the defaults.
 */
function gracePeriodSeconds(options: MonitoringKitOptions): number {
  return PRE_STOP_SECONDS + DRAIN_SECONDS + Math.ceil(options.service.shutdownTimeoutMs / 1000) + MARGIN_SECONDS;
}

/** Name of the Secret holding the metrics endpoint's credentials (never written by the kit). */
export function metricsSecretName(options: MonitoringKitOptions): string {
  return `${options.name}-metrics-auth`;
}

function metadata(options: MonitoringKitOptions, labels: Record<string, string>, name = options.name) {
  return { name, namespace: options.namespace, labels };
}

/** The service's credentials for its endpoint, from the same Secret the monitors read. */
function authEnv(options: MonitoringKitOptions): object[] {
  const fromSecret = (name: string, key: string) => ({
    name,
    valueFrom: { secretKeyRef: { name: metricsSecretName(options), key } },
  });
  if (options.service.auth === 'bearer') return [fromSecret('GREY_PROMETHEUS_AUTH_TOKEN', 'token')];
  if (options.service.auth === 'basic') {
    return [
      { name: 'GREY_PROMETHEUS_AUTH_USERNAME', value: options.service.username },
      fromSecret('GREY_PROMETHEUS_AUTH_PASSWORD', 'password'),
    ];
  }
  return [];
}

/** What a monitor's endpoint needs to pass the service's auth (Prometheus Operator field names). */
function monitorAuth(options: MonitoringKitOptions): object {
  const secret = (key: string) => ({ name: metricsSecretName(options), key });
  if (options.service.auth === 'bearer') return { authorization: { type: 'Bearer', credentials: secret('token') } };
  if (options.service.auth === 'basic')
    return { basicAuth: { username: secret('username'), password: secret('password') } };
  return {};
}

/**
 * The Deployment example: pods labelled with `options.selector` and annotated for the pod
 * discovery scrape config, the metrics port named, and a grace period that fits the shutdown.
 */
export function deployment(options: MonitoringKitOptions): object {
  const { metricsPort, metricsPath } = options.service;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(options, options.selector),
    spec: {
      replicas: 2,
      selector: { matchLabels: options.selector },
      template: {
        metadata: {
          labels: options.selector,
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(metricsPort),
            'prometheus.io/path': metricsPath,
          },
        },
        spec: {
          terminationGracePeriodSeconds: gracePeriodSeconds(options),
          containers: [
            {
              name: options.name,
              image: options.image ?? PLACEHOLDER.image,
              command: ['node', '--import', '@grey/observability/register', 'dist/main.js'],
              ports: [{ name: METRICS_PORT_NAME, containerPort: metricsPort, protocol: 'TCP' }],
              env: [
                { name: 'GREY_PROMETHEUS_PORT', value: String(metricsPort) },
                { name: 'GREY_SERVICE_INSTANCE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                ...authEnv(options),
              ],
              lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } },
            },
          ],
        },
      },
    },
  };
}

/** The Service in front of the pods, exposing the metrics port by name (what a ServiceMonitor selects). */
export function service(options: MonitoringKitOptions): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(options, options.selector),
    spec: {
      selector: options.selector,
      ports: [
        { name: METRICS_PORT_NAME, port: options.service.metricsPort, targetPort: METRICS_PORT_NAME, protocol: 'TCP' },
      ],
    },
  };
}

/**
 * A Prometheus Operator monitor: `kind` selects the pods (PodMonitor) or the Service
 * (ServiceMonitor) by `options.selector` in the kit's namespace, and scrapes the port named
 * {@link METRICS_PORT_NAME} on the service's path, every scrape interval, with the kit's timeout
 * and the endpoint's auth, setting the target's `job` to the kit's (which the rules and dashboards read).
 */
function monitor(options: MonitoringKitOptions, kind: 'PodMonitor' | 'ServiceMonitor'): object {
  const endpoint = {
    port: METRICS_PORT_NAME,
    path: options.service.metricsPath,
    interval: `${SCRAPE_INTERVAL_SECONDS}s`,
    scrapeTimeout: `${scrapeTimeoutSeconds(options)}s`,
    relabelings: [{ action: 'replace', targetLabel: 'job', replacement: options.job }],
    ...monitorAuth(options),
  };
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind,
    metadata: metadata(options, options.monitorLabels),
    spec: {
      selector: { matchLabels: options.selector },
      namespaceSelector: { matchNames: [options.namespace] },
      [kind === 'PodMonitor' ? 'podMetricsEndpoints' : 'endpoints']: [endpoint],
    },
  };
}

/** A `PodMonitor` scraping the pods' metrics port (use this or the ServiceMonitor, not both). */
export function podMonitor(options: MonitoringKitOptions): object {
  return monitor(options, 'PodMonitor');
}

/** A `ServiceMonitor` scraping through the Service (use this or the PodMonitor, not both). */
export function serviceMonitor(options: MonitoringKitOptions): object {
  return monitor(options, 'ServiceMonitor');
}

/** A `PrometheusRule` holding exactly the groups of the rule file. */
export function prometheusRule(options: MonitoringKitOptions, rules: RuleFile): object {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: metadata(options, options.monitorLabels, `${options.name}-rules`),
    spec: { groups: rules.groups },
  };
}

/** One ConfigMap per dashboard (`<uid>.json`), labelled for Grafana's sidecar; named after the dashboard. */
export function dashboardConfigMaps(options: MonitoringKitOptions, dashboards: readonly Artifact[]): object[] {
  return dashboards.map((dashboard) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(options, { ...GRAFANA_DASHBOARD_LABEL }, dashboard.path.replace(/\.json$/, '')),
    data: { [dashboard.path]: dashboard.content },
  }));
}
