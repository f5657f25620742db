import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from './daemon.js';

/** Promtool's message for the one documented lint exception (the spec's node-count gauge). */
export const KNOWN_PROMTOOL_EXCEPTION = 'grey_cluster_nodes_total non-counter metrics should not have "_total" suffix';

/** Result of `promtool check metrics`. */
export interface PromtoolResult {
  /** Exit code: 0 clean, 3 lint problems, 1 parse error. */
  code: number;
  /** Every non-empty output line (stdout and stderr). */
  problems: string[];
}

/** Runs `promtool check metrics` on `exposition` (Prometheus text format) and returns what it says. */
export function promtoolCheckMetrics(exposition: string): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        problems: output
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l !== ''),
      }),
    );
    child.stdin.end(exposition);
  });
}

/** A free TCP port on 127.0.0.1 (released before returning, so a tiny race is possible). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** What to scrape. */
export interface ScrapeTarget {
  /** `host:port` of the endpoint. */
  address: string;
  /** Path of the endpoint (default /metrics). */
  metricsPath?: string;
  /** Bearer token Prometheus sends, if any. */
  bearerToken?: string;
}

/** A Prometheus vector query result. */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** A running Prometheus started by a test. */
export interface RunningPrometheus {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** GET of an API path (`/api/v1/rules`); returns its `data`, rejects unless its status is success. */
  api<T>(pathAndQuery: string): Promise<T>;
  /** Instant query; returns the vector result. */
  query(promql: string): Promise<PromSample[]>;
  /** Polls `query` until `accept` holds for its result or `timeoutMs` passes; returns the last result. */
  waitFor(promql: string, accept: (samples: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
  /** Exemplars of a selector over the last minutes (needs the exemplar-storage feature, which is on). */
  queryExemplars(
    selector: string,
  ): Promise<
    Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string>; value: string }> }>
  >;
  /** Stops Prometheus and deletes its data dir. */
  stop(): Promise<void>;
}

/** Options of {@link startPrometheus} for tests that bring their own Prometheus config. */
export interface PrometheusOptions {
  /** prometheus.yml to use instead of the one scraping `target` (paths in it are relative to its folder). */
  config?: string;
  /** More files to write beside prometheus.yml (rule files, file_sd target lists), by file name. */
  files?: Readonly<Record<string, string>>;
  /** An existing config file to run as it is (its paths resolve from its own folder); wins over `config`. */
  configFile?: string;
}

/**
 * Starts the Debian `prometheus` binary on a free loopback port with a temp data dir, scraping
 * `target` every second (or running `options.config`), and waits until it is ready. Always call stop().
 */
export async function startPrometheus(
  target: ScrapeTarget,
  options: PrometheusOptions = {},
): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'grey-prom-'));
  const port = await freePort();
  const auth =
    target.bearerToken === undefined
      ? ''
      : `\n    authorization:\n      type: Bearer\n      credentials: ${JSON.stringify(target.bearerToken)}`;
  const config = `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: grey
    metrics_path: ${JSON.stringify(target.metricsPath ?? '/metrics')}${auth}
    static_configs:
      - targets: [${JSON.stringify(target.address)}]
`;
  await writeFile(join(dir, 'prometheus.yml'), options.config ?? config);
  for (const [name, content] of Object.entries(options.files ?? {})) await writeFile(join(dir, name), content);
  const url = `http://127.0.0.1:${port}`;
  const { stop } = await startDaemon(
    'prometheus',
    [
      `--config.file=${options.configFile ?? join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ],
    url,
    dir,
  );

  const api = async <T>(pathAndQuery: string): Promise<T> => {
    const response = await fetch(`${url}${pathAndQuery}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus API ${pathAndQuery}: ${body.error ?? response.status}`);
    return body.data;
  };

  const query = async (promql: string): Promise<PromSample[]> =>
    (await api<{ result: PromSample[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`)).result;

  return {
    url,
    api,
    query,
    async waitFor(promql, accept, timeoutMs = 20_000) {
      let last: PromSample[] = [];
      await poll(async () => {
        last = await query(promql);
        return accept(last);
      }, timeoutMs).catch(() => undefined);
      return last;
    },
    async queryExemplars(selector) {
      const end = Date.now() / 1000 + 60;
      return api(`/api/v1/query_exemplars?query=${encodeURIComponent(selector)}&start=${end - 600}&end=${end}`);
    },
    stop,
  };
}

/** Calls `check` every 200 ms until it returns true; rejects after `timeoutMs`. */
async function poll(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
