import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  let log = '';
  const child: ChildProcess = spawn(
    'prometheus-alertmanager',
    [
      `--config.file=${configFile}`,
      `--storage.path=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus-alertmanager exited: ${log}`);
    }
    const response = await fetch(`${url}/-/ready`).catch(() => undefined);
    if (response?.status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus-alertmanager not ready within 30 s: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
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
