import type { ParseArgsConfig } from 'node:util';
import { loadConfig } from '../config/load.js';
import { isObservabilityError } from '../errors.js';
import type { KitFlags } from '../operator-kit/kit-options.js';
import { scrubUrlCredentials } from '../secrets/index.js';
import type { CliIo } from './check-config.js';
import { OUT_OPTION, outDirOf, parseCommandArgs, writeInto } from './write-command.js';

const USAGE = `Usage: grey-observability monitoring --out DIR [--config FILE] [flags]

  Writes the operator kit into DIR (created when missing): Prometheus scrape configs, rules and
  their promtool tests, Alertmanager, Grafana dashboards and provisioning, Kubernetes objects
  (Deployment, Service, PodMonitor, ServiceMonitor, PrometheusRule, dashboard ConfigMaps), an
  OpenTelemetry Collector config and a Vector config. DIR/README.md lists the files; see
  docs/dashboards.md. The metrics port, path and auth come from the service's config (FILE, else
  GREY_OBSERVABILITY_CONFIG, else observability.yaml|.yml|.json here, else the defaults), with
  the GREY_* and OTEL_* variables of this shell applied, as check-config shows. Each flag is
  given once, but those marked repeatable.

  --job NAME                   Prometheus job of the service's targets (grey-cluster)
  --name NAME                  Kubernetes object name (the config's service.name)
  --namespace NS               Kubernetes namespace (default)
  --selector KEY=VALUE         pod label selecting the service's pods, repeatable (app=grey)
  --monitor-label KEY=VALUE    label on the monitors and the PrometheusRule, repeatable
                               (kube-prometheus-stack: release=<Helm release>)
  --target HOST:PORT           static scrape target, repeatable (localhost:<metrics port>)
  --alertmanager-url URL       where Prometheus sends alerts (http://alertmanager:9093)
  --warning-webhook-url URL    receiver of severity warning (placeholder when not given)
  --critical-webhook-url URL   receiver of severity critical (placeholder when not given)
  --image IMAGE                container image of the Deployment (placeholder when not given)
  --tempo-endpoint HOST:PORT   Collector's OTLP/gRPC exporter to Tempo (tempo:4317; none: leave out)
  --jaeger-endpoint HOST:PORT  Collector's OTLP/gRPC exporter to Jaeger (jaeger:4317; none: leave out)
  --zipkin-endpoint URL        Collector's Zipkin exporter (http://zipkin:9411/api/v2/spans; none: leave out)
  --loki-endpoint URL          Vector's Loki sink (http://loki:3100)
  --prometheus-url URL         Grafana's Prometheus data source (http://prometheus:9090)
  --datasource NAME            Grafana data source name, the dashboards' default (Prometheus)
  --grafana-dashboards-path P  where Grafana reads the dashboard files (/var/lib/grafana/dashboards/grey)

Exit codes: 0 written (warnings on stderr), 1 invalid config or write failed, 2 usage error.
`;

const KIT_OPTIONS = {
  ...OUT_OPTION,
  config: { type: 'string' },
  job: { type: 'string' },
  name: { type: 'string' },
  namespace: { type: 'string' },
  selector: { type: 'string', multiple: true },
  'monitor-label': { type: 'string', multiple: true },
  target: { type: 'string', multiple: true },
  'alertmanager-url': { type: 'string' },
  'warning-webhook-url': { type: 'string' },
  'critical-webhook-url': { type: 'string' },
  image: { type: 'string' },
  'tempo-endpoint': { type: 'string' },
  'jaeger-endpoint': { type: 'string' },
  'zipkin-endpoint': { type: 'string' },
  'loki-endpoint': { type: 'string' },
  'prometheus-url': { type: 'string' },
  datasource: { type: 'string' },
  'grafana-dashboards-path': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/**
 * `grey-observability monitoring --out DIR [flags]` (args after the command name): writes the
 * operator kit (src/operator-kit/kit.ts) and prints each path, then each placeholder left on
 * stderr with the flag that fills it. Webhook URLs may hold tokens: they go into the files only,
 * never into the output. Returns the exit code.
 */
export async function runMonitoring(args: readonly string[], cliIo: CliIo): Promise<number> {
  const io: CliIo = { ...cliIo, stderr: (text) => cliIo.stderr(scrubUrlCredentials(text)) };
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(USAGE);
    return 0;
  }
  const parsed = parseCommandArgs(args, KIT_OPTIONS);
  if ('problem' in parsed) {
    io.stderr(`${parsed.problem}\n${USAGE}`);
    return 2;
  }
  const out = outDirOf(parsed.values);
  if ('problem' in out) {
    io.stderr(`${out.problem}\n${USAGE}`);
    return 2;
  }
  const { config: file, out: _dir, ...flags } = parsed.values;
  let config;
  try {
    config = loadConfig({ configFile: file, env: io.env, cwd: io.cwd }).config;
  } catch (error) {
    if (!isObservabilityError(error)) throw error;
    io.stderr(`invalid config\n${error.message}\n`);
    return 1;
  }
  const { resolveKitOptions } = await import('../operator-kit/kit-options.js');
  const resolved = resolveKitOptions(flags satisfies KitFlags, config);
  if ('problems' in resolved) {
    io.stderr(`${resolved.problems.join('\n')}\n\n${USAGE}`);
    return 2;
  }
  const [{ monitoringKit }, { dashboardArtifacts }] = await Promise.all([
    import('../operator-kit/kit.js'),
    import('../operator-kit/artifacts.js'),
  ]);
  const kit = monitoringKit(resolved.options, dashboardArtifacts());
  const code = await writeInto(out.dir, kit.artifacts, io);
  if (code === 0) {
    for (const placeholder of kit.placeholders) {
      io.stderr(`placeholder left in ${placeholder.file}: ${placeholder.what}; ${placeholder.fill}\n`);
    }
    for (const warning of kit.warnings) io.stderr(`warning: ${warning}\n`);
  }
  return code;
}
