/**
 * The metrics checks of `grey-observability doctor`: the endpoint's port can be bound, and the
 * Prometheus scrape config (and Kubernetes pod annotations) that find it.
 */
import { createServer } from 'node:net';
import { redactValue } from '../config/redact.js';
import type { ObservabilityConfig } from '../config/types.js';
import type { DoctorCheck } from './doctor-report.js';
import { KIT_DEFAULTS } from '../operator-kit/kit-options.js';
import {
  METRICS_CREDENTIALS_DIR,
  SCRAPE_INTERVAL_SECONDS,
  wantedScrapeTimeoutSeconds,
} from '../operator-kit/scrape-configs.js';

/** Prometheus's own default port, which is also this package's default metrics port. */
const PROMETHEUS_OWN_PORT = 9090;

/** The fix for a busy port: another port, never the one that is busy (9464 is the OTel Prometheus exporter's). */
export function portFix(busy: number): string {
  const other = busy === 9464 ? 9465 : 9464;
  return `pick another port with prometheus.port in the file or GREY_PROMETHEUS_PORT (e.g. GREY_PROMETHEUS_PORT=${other}), or stop what holds it`;
}

/** Binds the metrics host and port once and releases it: says whether the endpoint could start. */
export async function checkMetricsPort(config: ObservabilityConfig): Promise<DoctorCheck> {
  const { host, port, enabled } = config.prometheus;
  const title = `metrics port ${port} on ${host}`;
  if (!enabled) return { status: 'skip', title: 'metrics port', detail: 'prometheus.enabled is false' };
  if (port === 0) {
    return {
      status: 'warn',
      title,
      detail: 'port 0 picks a free port at every start, which a scrape config cannot know',
      fix: 'set a fixed prometheus.port (GREY_PROMETHEUS_PORT) for a service that Prometheus scrapes',
    };
  }
  const error = await tryListen(host, port);
  if (error === undefined) {
    const shared =
      port === PROMETHEUS_OWN_PORT
        ? ` (${PROMETHEUS_OWN_PORT} is also Prometheus's own port: on a machine that runs Prometheus, use another one)`
        : '';
    return { status: 'ok', title, detail: `free${shared}` };
  }
  switch (error.code) {
    case 'EADDRINUSE':
      return {
        status: 'fail',
        title,
        detail: `in use by another process${port === PROMETHEUS_OWN_PORT ? ` (${PROMETHEUS_OWN_PORT} is Prometheus's own default port)` : ''}; the service would fail to start with OBS_ERR_PORT_IN_USE (if that process is this service, already running, this is expected)`,
        fix: portFix(port),
      };
    case 'EACCES':
      return {
        status: 'fail',
        title,
        detail: 'permission denied: ports below 1024 need privileges',
        fix: 'use a port above 1023 (prometheus.port, GREY_PROMETHEUS_PORT)',
      };
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return {
        status: 'fail',
        title,
        detail: `${host} is not an address of this machine (${error.code})`,
        fix: 'set prometheus.host (GREY_PROMETHEUS_HOST) to 0.0.0.0 (all interfaces), 127.0.0.1, or an address of this machine',
      };
    default:
      return { status: 'fail', title, detail: `cannot listen: ${error.code ?? error.message}`, fix: portFix(port) };
  }
}

function tryListen(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * A Prometheus scrape job for the service (static target) and the pod annotations that the
 * spec's Kubernetes scrape config reads: the job, timeout and credential files are those of the
 * kit `grey-observability monitoring --out DIR` writes (its default `--job`, files relative to
 * prometheus.yml), so the snippet and the kit's dashboards agree. Credentials are referenced by
 * file, never printed.
 */
export function renderScrapeConfig(config: ObservabilityConfig): string {
  const { port, path, auth } = config.prometheus;
  const target = ['0.0.0.0', '::', ''].includes(config.prometheus.host)
    ? `localhost:${port}`
    : `${config.prometheus.host}:${port}`;
  const job = KIT_DEFAULTS.job;
  const timeout = Math.min(SCRAPE_INTERVAL_SECONDS, wantedScrapeTimeoutSeconds(config.prometheus.scrape_timeout_ms));
  const authLines =
    auth.type === 'bearer'
      ? ['    authorization:', '      type: Bearer', `      credentials_file: ${METRICS_CREDENTIALS_DIR}/token`]
      : auth.type === 'basic'
        ? [
            '    basic_auth:',
            `      username: ${JSON.stringify(redactValue('prometheus.auth.username', auth.username))}`,
            `      password_file: ${METRICS_CREDENTIALS_DIR}/password`,
          ]
        : [];
  return [
    '# prometheus.yml: scrape this service (replace the target by its address as Prometheus sees it;',
    '# the whole kit, rules and dashboards included: grey-observability monitoring --out DIR)',
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(job)}`,
    `    metrics_path: ${JSON.stringify(path)}`,
    `    scrape_timeout: ${timeout}s`,
    ...authLines,
    '    static_configs:',
    `      - targets: [${JSON.stringify(target)}]`,
    '',
    '# Kubernetes: pod annotations read by the spec scrape config (docs/kubernetes.md)',
    'metadata:',
    '  annotations:',
    '    prometheus.io/scrape: "true"',
    `    prometheus.io/port: "${port}"`,
    `    prometheus.io/path: ${JSON.stringify(path)}`,
    '',
  ].join('\n');
}
