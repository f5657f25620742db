import type { ObservabilityConfig } from '../config/types.js';

/**
 * What `grey-observability monitoring` must know to write an operator kit whose files agree with
 * each other and with the service: the values an operator chooses (flags), and what the service's
 * own config decides (its metrics port and path, name, auth and shutdown budget).
 */
export interface MonitoringKitOptions {
  /** Prometheus `job` label of the service's targets (scrape configs, monitors, dashboards' default). */
  job: string;
  /** Kubernetes name of the Deployment, Service, monitors and ConfigMaps (DNS-1123). */
  name: string;
  /** Kubernetes namespace of every object. */
  namespace: string;
  /** Pod labels that select the service's pods (Deployment, Service, monitors, pod discovery, Vector). */
  selector: Record<string, string>;
  /** Extra labels on PodMonitor, ServiceMonitor and PrometheusRule (kube-prometheus-stack selects on `release`). */
  monitorLabels: Record<string, string>;
  /** `host:port` targets of the static scrape config. */
  targets: string[];
  /** Alertmanager Prometheus sends alerts to (`scheme://host:port[/prefix]`). */
  alertmanagerUrl: URL;
  /** Webhook of the receiver of each severity; undefined writes an explicit placeholder. */
  webhooks: { warning: string | undefined; critical: string | undefined };
  /** Container image of the Deployment example; undefined writes an explicit placeholder. */
  image: string | undefined;
  /** Collector exporters: OTLP gRPC `host:port` of Tempo and Jaeger, Zipkin's span URL; undefined leaves one out (`none`). */
  traces: { tempo: string | undefined; jaeger: string | undefined; zipkin: string | undefined };
  /** Loki push endpoint of the Vector sink. */
  lokiUrl: string;
  /** Prometheus URL of the provisioned Grafana data source. */
  prometheusUrl: string;
  /** Name of the Grafana data source, and the dashboards' default of their `datasource` variable. */
  datasource: string;
  /** Where Grafana reads the dashboard files from (file provisioning). */
  grafanaDashboardsPath: string;
  /** From the service's config: endpoint port and path, auth, shutdown budget (ms). */
  service: {
    metricsPort: number;
    metricsPath: string;
    auth: ObservabilityConfig['prometheus']['auth']['type'];
    /** `prometheus.auth.username` (basic auth; not a secret). */
    username: string;
    shutdownTimeoutMs: number;
    /** `prometheus.scrape_timeout_ms`: the longest the endpoint takes to answer. */
    scrapeTimeoutMs: number;
    /** `prometheus.enabled`. */
    metricsEnabled: boolean;
    /** `prometheus.port` as configured (0: a free port at start, which no scrape config can name). */
    configuredPort: number;
  };
}

/** The flags of the command as given (strings; repeatable flags as lists). */
export interface KitFlags {
  job?: string;
  name?: string;
  namespace?: string;
  selector?: string[];
  'monitor-label'?: string[];
  target?: string[];
  'alertmanager-url'?: string;
  'warning-webhook-url'?: string;
  'critical-webhook-url'?: string;
  image?: string;
  'tempo-endpoint'?: string;
  'jaeger-endpoint'?: string;
  'zipkin-endpoint'?: string;
  'loki-endpoint'?: string;
  'prometheus-url'?: string;
  datasource?: string;
  'grafana-dashboards-path'?: string;
}

/** One value the kit could not fill: where it goes, what it is, and how to fill it. */
export interface KitPlaceholder {
  /** Path in the kit, e.g. `alertmanager/alertmanager.yml`. */
  file: string;
  what: string;
  /** The instruction, e.g. `set it with --image`. */
  fill: string;
}

/** Default values of the flags (the spec's names: `grey-cluster`, `app=grey`, the seed's hosts). */
export const KIT_DEFAULTS = {
  job: 'grey-cluster',
  namespace: 'default',
  selector: { app: 'grey' },
  alertmanagerUrl: 'http://alertmanager:9093',
  tempo: 'tempo:4317',
  jaeger: 'jaeger:4317',
  zipkin: 'http://zipkin:9411/api/v2/spans',
  lokiUrl: 'http://loki:3100',
  prometheusUrl: 'http://prometheus:9090',
  datasource: 'Prometheus',
  grafanaDashboardsPath: '/var/lib/grafana/dashboards/grey',
} as const;

/**
 * Placeholder hosts: `.invalid` never resolves (RFC 2606), so a kit applied with a placeholder
 * left fails loudly at the first notification instead of sending alerts somewhere unintended.
 */
export const PLACEHOLDER = {
  warningWebhook: 'http://set-warning-webhook-url.invalid/',
  criticalWebhook: 'http://set-critical-webhook-url.invalid/',
  image: 'registry.invalid/set-image:latest',
} as const;

// Kubernetes: a DNS-1123 label (namespace) and subdomain (object names); label keys and values.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// Object names: a Service and a container name must be DNS-1035 labels (the strictest the kit's objects need).
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?)?$/;
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([-.A-Za-z0-9]*[A-Za-z0-9])?):([0-9]{1,5})$/;

/**
 * Resolves the kit's options from the flags and the service's config. Returns every problem at
 * once (each names the flag, the value and what it takes) instead of the options when any.
 */
export function resolveKitOptions(
  flags: KitFlags,
  config: ObservabilityConfig,
): { options: MonitoringKitOptions } | { problems: string[] } {
  const problems: string[] = [];
  const check = <T>(
    flag: string,
    value: string,
    test: (v: string) => T | undefined,
    expected: string,
  ): T | undefined => {
    const result = test(value);
    if (result === undefined) problems.push(`--${flag} ${JSON.stringify(value)}: expected ${expected}`);
    return result;
  };
  const matching = (pattern: RegExp) => (value: string) => (pattern.test(value) ? value : undefined);
  const url = (value: string): URL | undefined => {
    try {
      const parsed = new URL(value);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : undefined;
    } catch {
      return undefined;
    }
  };
  const hostPort = (value: string) => {
    const match = HOST_PORT.exec(value);
    return match !== null && Number(match[3]) >= 1 && Number(match[3]) <= 65535 ? value : undefined;
  };
  const labels = (flag: string, pairs: readonly string[] | undefined): Record<string, string> | undefined => {
    if (pairs === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      const [key, value] = eq < 0 ? [pair, undefined] : [pair.slice(0, eq), pair.slice(eq + 1)];
      if (value === undefined || !LABEL_NAME.test(key) || !LABEL_VALUE.test(value) || value === '') {
        problems.push(`--${flag} ${JSON.stringify(pair)}: expected KEY=VALUE with a Kubernetes label key and value`);
      } else if (key in out) {
        problems.push(`--${flag} ${JSON.stringify(pair)}: the label ${key} is given twice; give each key once`);
      } else out[key] = value;
    }
    return out;
  };
  const text = (
    flag: string,
    value: string | undefined,
    fallback: string,
    expected: string,
    test: (v: string) => unknown = url,
  ) =>
    value === undefined
      ? fallback
      : (check(flag, value, (v) => (test(v) === undefined ? undefined : v), expected) ?? fallback);

  const job = flags.job ?? KIT_DEFAULTS.job;
  if (job.trim() === '') problems.push('--job "": expected a non-empty Prometheus job name');
  const name = flags.name ?? config.service.name;
  const nameRule =
    "a DNS-1035 label, as a Service and a container name need: lower case letters, digits and '-', a letter first, at most 63";
  if (!DNS_1035_LABEL.test(name)) {
    problems.push(
      flags.name === undefined
        ? `service.name ${JSON.stringify(name)} cannot name the Kubernetes objects (${nameRule}): set --name`
        : `--name ${JSON.stringify(name)}: expected ${nameRule}`,
    );
  }
  const namespace =
    flags.namespace === undefined
      ? KIT_DEFAULTS.namespace
      : check('namespace', flags.namespace, matching(DNS_LABEL), 'a Kubernetes namespace (DNS-1123 label)');
  const selector = labels('selector', flags.selector) ?? { ...KIT_DEFAULTS.selector };
  const monitorLabels = labels('monitor-label', flags['monitor-label']) ?? {};
  const port = config.prometheus.port === 0 ? 9090 : config.prometheus.port;
  const targets = (flags.target ?? [`localhost:${port}`]).filter((target) =>
    check('target', target, hostPort, 'host:port'),
  );
  for (const target of new Set(targets.filter((t, i) => targets.indexOf(t) !== i))) {
    problems.push(`--target ${JSON.stringify(target)}: given twice; give each target once`);
  }
  const alertmanagerUrl = check(
    'alertmanager-url',
    flags['alertmanager-url'] ?? KIT_DEFAULTS.alertmanagerUrl,
    (value) => {
      const parsed = url(value);
      // Prometheus's alerting section has scheme, host and path prefix only: credentials would be
      // dropped (alerts refused with 401), a query or fragment ignored.
      return parsed === undefined ||
        parsed.username !== '' ||
        parsed.password !== '' ||
        parsed.search !== '' ||
        parsed.hash !== ''
        ? undefined
        : parsed;
    },
    'an http(s) URL such as http://alertmanager:9093, without credentials, query or fragment',
  );
  const webhook = (flag: 'warning-webhook-url' | 'critical-webhook-url') =>
    flags[flag] === undefined ? undefined : check(flag, flags[flag], url, 'an http(s) URL')?.href;
  const webhooks = { warning: webhook('warning-webhook-url'), critical: webhook('critical-webhook-url') };
  const image = flags.image;
  if (image !== undefined && (image.trim() === '' || /\s/.test(image))) {
    problems.push(`--image ${JSON.stringify(image)}: expected a container image reference`);
  }
  const orNone = (test: (v: string) => unknown) => (v: string) => (v === 'none' ? v : test(v));
  const exporter = (value: string) => (value === 'none' ? undefined : value);
  const traces = {
    tempo: exporter(
      text(
        'tempo-endpoint',
        flags['tempo-endpoint'],
        KIT_DEFAULTS.tempo,
        'host:port (OTLP gRPC) or none',
        orNone(hostPort),
      ),
    ),
    jaeger: exporter(
      text(
        'jaeger-endpoint',
        flags['jaeger-endpoint'],
        KIT_DEFAULTS.jaeger,
        'host:port (OTLP gRPC) or none',
        orNone(hostPort),
      ),
    ),
    zipkin: exporter(
      text('zipkin-endpoint', flags['zipkin-endpoint'], KIT_DEFAULTS.zipkin, 'an http(s) URL or none', orNone(url)),
    ),
  };
  if (traces.tempo === undefined && traces.jaeger === undefined && traces.zipkin === undefined) {
    problems.push(
      '--tempo-endpoint, --jaeger-endpoint and --zipkin-endpoint are all none: the Collector needs one exporter',
    );
  }
  const lokiUrl = text('loki-endpoint', flags['loki-endpoint'], KIT_DEFAULTS.lokiUrl, 'an http(s) URL');
  const prometheusUrl = text('prometheus-url', flags['prometheus-url'], KIT_DEFAULTS.prometheusUrl, 'an http(s) URL');
  const datasource = flags.datasource ?? KIT_DEFAULTS.datasource;
  if (datasource.trim() === '') problems.push('--datasource "": expected a Grafana data source name');
  const grafanaDashboardsPath = flags['grafana-dashboards-path'] ?? KIT_DEFAULTS.grafanaDashboardsPath;
  if (!grafanaDashboardsPath.startsWith('/')) {
    problems.push(`--grafana-dashboards-path ${JSON.stringify(grafanaDashboardsPath)}: expected an absolute path`);
  }
  if (problems.length > 0 || namespace === undefined || alertmanagerUrl === undefined) return { problems };
  return {
    options: {
      job,
      name,
      namespace,
      selector,
      monitorLabels,
      targets,
      alertmanagerUrl,
      webhooks,
      image,
      traces,
      lokiUrl,
      prometheusUrl,
      datasource,
      grafanaDashboardsPath,
      service: {
        metricsPort: port,
        metricsPath: config.prometheus.path,
        auth: config.prometheus.auth.type,
        username: config.prometheus.auth.username,
        shutdownTimeoutMs: config.shutdown_timeout_ms,
        scrapeTimeoutMs: config.prometheus.scrape_timeout_ms,
        metricsEnabled: config.prometheus.enabled,
        configuredPort: config.prometheus.port,
      },
    },
  };
}
