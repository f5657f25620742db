import { alertmanagerConfig } from './alertmanager.js';
import { ruleArtifacts, yamlArtifact, type Artifact } from './artifacts.js';
import { datasourceProvider, dashboardProvider, parameteriseDashboard } from './grafana-provisioning.js';
import { PLACEHOLDER, type KitPlaceholder, type MonitoringKitOptions } from './kit-options.js';
import {
  dashboardConfigMaps,
  deployment,
  metricsSecretName,
  podMonitor,
  prometheusRule,
  service,
  serviceMonitor,
} from './kubernetes-objects.js';
import { vectorConfig } from './log-shipping.js';
import { collectorConfig } from './otel-collector.js';
import { ruleFile } from './rules.js';
import {
  credentialFiles,
  kubernetesScrapeConfig,
  METRICS_CREDENTIALS_DIR,
  RULE_FILE_FROM_PROMETHEUS_CONFIG,
  SCRAPE_INTERVAL_SECONDS,
  staticScrapeConfig,
  wantedScrapeTimeoutSeconds,
} from './scrape-configs.js';

/**
 * The operator kit that `grey-observability monitoring --out DIR` writes: every file of
 * {@link KIT_LAYOUT}, consistent with the others (the scrape configs load the rule file beside
 * them and alert the kit's Alertmanager; the monitors select the Deployment's labels and port;
 * the PrometheusRule holds the rule file's groups; the ConfigMaps hold the dashboards).
 */

/** Where each file of the kit goes and what it is for (docs/dashboards.md shows this table). */
export const KIT_LAYOUT = [
  { path: 'README.md', what: 'this layout and the commands that check each file' },
  {
    path: 'prometheus/prometheus.yml',
    what: 'static scrape config (`--target`), rule files, alerting (`--alertmanager-url`)',
  },
  {
    path: 'prometheus/prometheus-kubernetes.yml',
    what: 'pod discovery by `prometheus.io/*` annotations (`--selector`, `--namespace`)',
  },
  { path: `prometheus/${RULE_FILE_FROM_PROMETHEUS_CONFIG}`, what: 'recording and alerting rules' },
  {
    path: 'prometheus/rules/grey-rules.test.yml',
    what: '`promtool test rules` cases: each alert, bursts, slow failures, healthy',
  },
  {
    path: 'alertmanager/alertmanager.yml',
    what: 'routes per severity, inhibition, webhooks (`--warning-webhook-url`, `--critical-webhook-url`)',
  },
  { path: 'grafana/dashboards/*.json', what: 'the five dashboards (`--datasource`, `--job` as defaults)' },
  {
    path: 'grafana/provisioning/dashboards/grey.yml',
    what: 'file provisioning of the dashboards (`--grafana-dashboards-path`)',
  },
  {
    path: 'grafana/provisioning/datasources/grey-prometheus.yml',
    what: 'the Prometheus data source (`--prometheus-url`)',
  },
  {
    path: 'kubernetes/deployment.yaml',
    what: 'Deployment example: labels, annotations, metrics port, grace period (`--image`)',
  },
  { path: 'kubernetes/service.yaml', what: 'Service exposing the metrics port (for the ServiceMonitor)' },
  {
    path: 'kubernetes/podmonitor.yaml',
    what: 'Prometheus Operator PodMonitor (`--monitor-label`); or the ServiceMonitor',
  },
  { path: 'kubernetes/servicemonitor.yaml', what: 'Prometheus Operator ServiceMonitor; or the PodMonitor, not both' },
  { path: 'kubernetes/prometheusrule.yaml', what: "PrometheusRule with the rule file's groups" },
  {
    path: 'kubernetes/grafana-dashboards.yaml',
    what: 'one ConfigMap per dashboard, labelled `grafana_dashboard: "1"`',
  },
  { path: 'otel-collector/config.yaml', what: 'OpenTelemetry Collector: OTLP in, Tempo, Jaeger, Zipkin out' },
  { path: 'vector/vector.yaml', what: 'Vector: pod logs parsed and shipped to Loki (`--loki-endpoint`)' },
] as const;

/** What {@link monitoringKit} writes: the files, the placeholders left, and what the operator should know. */
export interface MonitoringKit {
  artifacts: Artifact[];
  placeholders: KitPlaceholder[];
  /** Odd values of the service's config or the flags, each in one sentence with what to do. */
  warnings: string[];
}

/** What is odd in `options` for a kit that scrapes the service: one sentence each, with what to do. */
function kitWarnings(options: MonitoringKitOptions): string[] {
  const { service } = options;
  const warnings: string[] = [];
  if (!service.metricsEnabled) {
    warnings.push(
      'the service config has prometheus.enabled: false, so the service serves no metrics for this kit to scrape',
    );
  }
  if (service.configuredPort === 0) {
    warnings.push(
      `prometheus.port is 0 (a free port at each start), which no scrape config can name: the kit uses ${service.metricsPort}; set the port the service listens on`,
    );
  }
  if (
    service.metricsPort === 9090 &&
    options.targets.some((target) => /^(localhost|127\.0\.0\.1|\[::1\]):9090$/.test(target))
  ) {
    warnings.push(
      "the target localhost:9090 is also Prometheus's own port: where Prometheus runs, it would scrape itself; give the service another prometheus.port (9464 is registered for exporters) or pass --target",
    );
  }
  if (wantedScrapeTimeoutSeconds(service.scrapeTimeoutMs) > SCRAPE_INTERVAL_SECONDS) {
    warnings.push(
      `prometheus.scrape_timeout_ms is ${service.scrapeTimeoutMs}: Prometheus's timeout cannot exceed the ${SCRAPE_INTERVAL_SECONDS} s scrape interval, so it may give up before the endpoint answers; keep it at ${(SCRAPE_INTERVAL_SECONDS - 2) * 1000} or less`,
    );
  }
  return warnings;
}

function placeholderNotes(placeholders: readonly KitPlaceholder[], file: string): string[] {
  return placeholders
    .filter((placeholder) => placeholder.file === file)
    .map((placeholder) => `PLACEHOLDER: ${placeholder.what}; ${placeholder.fill}.`);
}

function readme(
  options: MonitoringKitOptions,
  placeholders: readonly KitPlaceholder[],
  warnings: readonly string[],
): string {
  const width = Math.max(...KIT_LAYOUT.map((entry) => entry.path.length + 2));
  const rows = KIT_LAYOUT.map((entry) => `| ${`\`${entry.path}\``.padEnd(width)} | ${entry.what} |`);
  const left =
    placeholders.length === 0
      ? 'No placeholder is left: every value came from a flag or a default.\n'
      : `Placeholders left (URLs on \`.invalid\` hosts, which never resolve, and files only you can write):\n\n${placeholders
          .map((p) => `- \`${p.file}\`: ${p.what}; ${p.fill}.`)
          .join('\n')}\n`;
  const noted = warnings.length === 0 ? '' : `\nWarnings:\n\n${warnings.map((w) => `- ${w}.`).join('\n')}\n`;
  const secretFiles = credentialFiles(options);
  const secrets =
    secretFiles.length === 0
      ? ''
      : `\nThe endpoint needs credentials (\`prometheus.auth.type: ${options.service.auth}\`). Before the checks, write
${secretFiles.map((file) => `\`prometheus/${METRICS_CREDENTIALS_DIR}/${file}\``).join(' and ')} (\`promtool check config\` fails until it
exists), and create the Secret the monitors and the Deployment read:

\`\`\`sh
kubectl create secret generic ${metricsSecretName(options)} --namespace ${options.namespace} \\
  ${options.service.auth === 'bearer' ? '--from-literal=token=...' : `--from-literal=username=${options.service.username} --from-literal=password=...`}
\`\`\`
`;
  return `# Monitoring kit of @grey/observability

Written by \`grey-observability monitoring --out DIR\`. Re-run the command with other flags rather
than editing the files; \`grey-observability monitoring --help\` lists them.

| File ${' '.repeat(width - 5)}| What |
| ${'-'.repeat(width)} | ---- |
${rows.join('\n')}

${left}${noted}${secrets}
Checks, from this folder:

\`\`\`sh
promtool check config prometheus/prometheus.yml
promtool test rules prometheus/rules/grey-rules.test.yml
amtool check-config alertmanager/alertmanager.yml
amtool config routes test --config.file=alertmanager/alertmanager.yml severity=critical
kubectl apply --dry-run=server -f kubernetes/deployment.yaml -f kubernetes/podmonitor.yaml \\
  -f kubernetes/prometheusrule.yaml -f kubernetes/grafana-dashboards.yaml
\`\`\`

Apply \`kubernetes/podmonitor.yaml\` or \`kubernetes/servicemonitor.yaml\`, not both (each target
would be scraped twice). kube-prometheus-stack selects monitors and rules by its Helm release
label: add it with \`--monitor-label release=<release name>\`. The dashboard ConfigMaps are named
after the dashboards, which every service shares (the Job variable picks the service).
`;
}

/**
 * The kit for `options`, with `dashboards` (the shipped dashboard JSON, `<uid>.json`) given the
 * kit's data source and job as their defaults.
 */
export function monitoringKit(options: MonitoringKitOptions, dashboards: readonly Artifact[]): MonitoringKit {
  const placeholders: KitPlaceholder[] = [];
  if (options.webhooks.warning === undefined) {
    placeholders.push({
      file: 'alertmanager/alertmanager.yml',
      what: `the webhook of severity warning (${PLACEHOLDER.warningWebhook})`,
      fill: 'set it with --warning-webhook-url',
    });
  }
  if (options.webhooks.critical === undefined) {
    placeholders.push({
      file: 'alertmanager/alertmanager.yml',
      what: `the webhook of severity critical (${PLACEHOLDER.criticalWebhook})`,
      fill: 'set it with --critical-webhook-url',
    });
  }
  if (options.image === undefined) {
    placeholders.push({
      file: 'kubernetes/deployment.yaml',
      what: `the container image (${PLACEHOLDER.image})`,
      fill: 'set it with --image',
    });
  }
  for (const name of credentialFiles(options)) {
    placeholders.push({
      file: `prometheus/${METRICS_CREDENTIALS_DIR}/${name}`,
      what: `the metrics endpoint's ${name} (prometheus.auth.type is ${options.service.auth}); the kit writes no secret`,
      fill: `write it there, or mount the Secret ${metricsSecretName(options)} there`,
    });
  }
  const warnings = kitWarnings(options);
  const rules = ruleFile();
  const kitDashboards = dashboards.map((dashboard) => ({
    path: dashboard.path,
    content: parameteriseDashboard(dashboard.content, options),
  }));
  const yaml = (path: string, documents: object | readonly object[]) =>
    yamlArtifact(path, documents, placeholderNotes(placeholders, path));
  const artifacts: Artifact[] = [
    { path: 'README.md', content: readme(options, placeholders, warnings) },
    yaml('prometheus/prometheus.yml', staticScrapeConfig(options)),
    yaml('prometheus/prometheus-kubernetes.yml', kubernetesScrapeConfig(options)),
    // The rule file and its promtool tests, as `rules --out` writes them, under prometheus/rules/.
    ...ruleArtifacts().map((artifact) => ({ ...artifact, path: `prometheus/rules/${artifact.path}` })),
    yaml('alertmanager/alertmanager.yml', alertmanagerConfig(options)),
    ...kitDashboards.map((dashboard) => ({ ...dashboard, path: `grafana/dashboards/${dashboard.path}` })),
    yaml('grafana/provisioning/dashboards/grey.yml', dashboardProvider(options)),
    yaml('grafana/provisioning/datasources/grey-prometheus.yml', datasourceProvider(options)),
    yaml('kubernetes/deployment.yaml', deployment(options)),
    yaml('kubernetes/service.yaml', service(options)),
    yaml('kubernetes/podmonitor.yaml', podMonitor(options)),
    yaml('kubernetes/servicemonitor.yaml', serviceMonitor(options)),
    yaml('kubernetes/prometheusrule.yaml', prometheusRule(options, rules)),
    yaml('kubernetes/grafana-dashboards.yaml', dashboardConfigMaps(options, kitDashboards)),
    yaml('otel-collector/config.yaml', collectorConfig(options)),
    yaml('vector/vector.yaml', vectorConfig(options)),
  ];
  return { artifacts, placeholders, warnings };
}
