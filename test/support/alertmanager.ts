import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from './daemon.js';
import { freePort } from './prometheus.js';

/** A running Alertmanager started by a test. */
export interface RunningAlertmanager {
  /** Base URL, e.g. http://127.0.0.1:41235 */
  url: string;
  /** GET of an API v2 path (`/api/v2/status`), parsed JSON. */
  api<T>(path: string): Promise<T>;
  /** Stops Alertmanager and deletes its data dir. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's `prometheus-alertmanager` with `configFile` as it is, on a free loopback port,
 * clustering off and a temp data dir, and waits until it is ready. Always call stop().
 */
export async function startAlertmanager(configFile: string): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'grey-am-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { stop } = await startDaemon(
    'prometheus-alertmanager',
    [
      `--config.file=${configFile}`,
      `--storage.path=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    url,
    dir,
  );
  return {
    url,
    async api<T>(path: string): Promise<T> {
      const response = await fetch(`${url}${path}`);
      if (!response.ok) throw new Error(`Alertmanager ${path}: HTTP ${response.status}`);
      return (await response.json()) as T;
    },
    stop,
  };
}
