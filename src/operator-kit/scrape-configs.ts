import type { MonitoringKitOptions } from './kit-options.js';

/**
 * Prometheus configs for a service using this package: the spec's Kubernetes pod discovery (with
 * the pod annotations it relies on) and a static target list. Both load the kit's rule file and
 * send alerts to the kit's Alertmanager. Plain objects; kit.ts writes them as YAML.
 */

/** Where the scrape configs find the rule file: relative to their own folder (`prometheus/`). */
export const RULE_FILE_FROM_PROMETHEUS_CONFIG = 'rules/grey-rules.yml';

/**
 * Where Prometheus reads the credentials of a protected endpoint: relative to the config's folder
 * (`prometheus/secrets/grey-metrics/` of the kit, or where the Secret is mounted beside the
 * config). The kit writes no secret there; `promtool check config` fails until the file exists.
 */
export const METRICS_CREDENTIALS_DIR = 'secrets/grey-metrics';

/** How often Prometheus scrapes (the kit's `scrape_interval`, and the monitors' `interval`). */
export const SCRAPE_INTERVAL_SECONDS = 15;

/**
 * The scrape timeout: longer than the endpoint's own bound (`prometheus.scrape_timeout_ms`, past
 * which it answers 503 naming the slow metric) by 2 s, so that Prometheus sees that answer rather
 * than its own timeout; at most the scrape interval (Prometheus refuses more). 10 s with the defaults.
 */
export function scrapeTimeoutSeconds(options: MonitoringKitOptions): number {
  return Math.min(SCRAPE_INTERVAL_SECONDS, wantedScrapeTimeoutSeconds(options.service.scrapeTimeoutMs));
}

/** The scrape timeout the endpoint's bound `scrapeTimeoutMs` asks for, before the interval's cap. */
export function wantedScrapeTimeoutSeconds(scrapeTimeoutMs: number): number {
  return Math.ceil(scrapeTimeoutMs / 1000) + 2;
}

/** Files under {@link METRICS_CREDENTIALS_DIR} the service's `prometheus.auth.type` needs. */
export function credentialFiles(options: MonitoringKitOptions): string[] {
  return options.service.auth === 'bearer' ? ['token'] : options.service.auth === 'basic' ? ['password'] : [];
}

/** The `authorization` or `basic_auth` a job needs for the service's `prometheus.auth.type`. */
function scrapeAuth(options: MonitoringKitOptions): object {
  if (options.service.auth === 'bearer') {
    return { authorization: { type: 'Bearer', credentials_file: `${METRICS_CREDENTIALS_DIR}/token` } };
  }
  if (options.service.auth === 'basic') {
    return {
      basic_auth: { username: options.service.username, password_file: `${METRICS_CREDENTIALS_DIR}/password` },
    };
  }
  return {};
}

function common(options: MonitoringKitOptions): object {
  const { alertmanagerUrl } = options;
  const prefix = alertmanagerUrl.pathname.replace(/\/+$/, '');
  return {
    global: { scrape_interval: `${SCRAPE_INTERVAL_SECONDS}s`, evaluation_interval: `${SCRAPE_INTERVAL_SECONDS}s` },
    rule_files: [RULE_FILE_FROM_PROMETHEUS_CONFIG],
    alerting: {
      alertmanagers: [
        {
          scheme: alertmanagerUrl.protocol.slice(0, -1),
          ...(prefix === '' ? {} : { path_prefix: prefix }),
          static_configs: [{ targets: [alertmanagerUrl.host] }],
        },
      ],
    },
  };
}

/** The label selector of pod discovery (`app=grey,tier=api`). */
export function selectorText(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/**
 * The spec's pod discovery job (named `options.job`): pods matching `options.selector` with
 * `prometheus.io/scrape: "true"`, scraped on the annotated port and path. Added to the spec:
 * namespace and pod as target labels, and the endpoint's auth.
 */
export function kubernetesScrapeConfig(options: MonitoringKitOptions): object {
  return {
    ...common(options),
    scrape_configs: [
      {
        job_name: options.job,
        scrape_timeout: `${scrapeTimeoutSeconds(options)}s`,
        ...scrapeAuth(options),
        kubernetes_sd_configs: [
          {
            role: 'pod',
            namespaces: { names: [options.namespace] },
            selectors: [{ role: 'pod', label: selectorText(options.selector) }],
          },
        ],
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

/** `options.targets` (VMs, docker compose) scraped on the service's metrics path. */
export function staticScrapeConfig(options: MonitoringKitOptions): object {
  return {
    ...common(options),
    scrape_configs: [
      {
        job_name: options.job,
        metrics_path: options.service.metricsPath,
        scrape_timeout: `${scrapeTimeoutSeconds(options)}s`,
        ...scrapeAuth(options),
        static_configs: [{ targets: options.targets }],
      },
    ],
  };
}
