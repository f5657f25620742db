import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** A running example process whose stdout is JSON log lines. */
export interface RunningExample {
  child: ChildProcess;
  /** Every JSON line written to stdout so far. */
  lines: Array<Record<string, unknown>>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the first line whose `msg` is `message` (rejects on exit or after `timeoutMs`). */
  waitForLine(message: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `node <args>` with exactly `env` (plus PATH) and collects its output. */
export function startExample(args: string[], env: NodeJS.ProcessEnv, cwd?: string): RunningExample {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const waiters: Array<{ message: string; resolve: (line: Record<string, unknown>) => void }> = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    if (!text.startsWith('{')) return;
    const line = JSON.parse(text) as Record<string, unknown>;
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.message === line.msg)) waiter.resolve(line);
  });
  const exited = once(child, 'exit') as Promise<[number | null]>;
  return {
    child,
    lines,
    stderr: () => stderr,
    waitForLine(message, timeoutMs = 20_000) {
      const seen = lines.find((line) => line.msg === message);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${message}" line within ${timeoutMs} ms\n${stderr}`)),
          timeoutMs,
        );
        waiters.push({
          message,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then(([code]) => {
          clearTimeout(timer);
          reject(new Error(`exited with ${code} before "${message}"\n${stderr}`));
        });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const [code] = await exited;
      return code;
    },
  };
}
