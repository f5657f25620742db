import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';

/** A server process started by a test (Prometheus, Alertmanager). */
export interface RunningDaemon {
  /** Stops it (SIGTERM, SIGKILL after 5 s) and deletes `dir`. */
  stop(): Promise<void>;
}

/**
 * Spawns `command args` (its data in `dir`), and waits until `${url}/-/ready` answers 200, the
 * readiness endpoint of Prometheus and Alertmanager. Rejects within 30 s with what the process
 * printed when it exits or never gets ready; it is stopped then. Always call stop().
 */
export async function startDaemon(command: string, args: string[], url: string, dir: string): Promise<RunningDaemon> {
  let log = '';
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
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
      throw new Error(`${command} exited: ${log}`);
    }
    const response = await fetch(`${url}/-/ready`).catch(() => undefined);
    if (response?.status === 200) return { stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${command} not ready within 30 s: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
