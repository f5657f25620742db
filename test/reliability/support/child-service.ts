/**
 * Runs a test fixture as a child process with an IPC channel, so that its heap, its sockets and
 * its exit are measured apart from the test runner. The fixture answers `{ id, cmd, ... }`
 * messages with `{ id, ... }`; see the fixtures beside this folder.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** A running fixture. */
export interface ChildService {
  child: ChildProcess;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  /** Sends `cmd` and resolves with the child's answer (rejects after `timeoutMs`). */
  call<T = Record<string, unknown>>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Resolves with the exit code and signal once the child ended, or rejects after `timeoutMs`. */
  exited(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
  /** SIGKILLs the child if it still runs. */
  kill(): void;
}

/**
 * Forks `fixture` (a path relative to test/reliability/fixtures, compiled .js) with `execArgv`
 * and `env`; waits for its first message (`{ ready: true, ... }`) and returns it with the handle.
 * The child is SIGKILLed after `lifetimeMs` whatever happens.
 */
export async function startChildService(
  fixture: string,
  options: { env?: NodeJS.ProcessEnv; execArgv?: string[]; lifetimeMs?: number; cwd?: string } = {},
): Promise<{ service: ChildService; ready: Record<string, unknown> }> {
  const path = fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url));
  const child = fork(path, [], {
    env: options.env ?? process.env,
    execArgv: options.execArgv ?? [],
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), options.lifetimeMs ?? 120_000);
  killer.unref();
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  exit.then(
    () => clearTimeout(killer),
    () => clearTimeout(killer),
  );
  let nextId = 1;
  const waiting = new Map<number, (message: Record<string, unknown>) => void>();
  let readyResolve: (message: Record<string, unknown>) => void = () => {};
  const ready = new Promise<Record<string, unknown>>((resolve) => (readyResolve = resolve));
  child.on('message', (message: Record<string, unknown>) => {
    if (message.ready === true) return readyResolve(message);
    const answer = waiting.get(message.id as number);
    if (answer !== undefined) {
      waiting.delete(message.id as number);
      answer(message);
    }
  });
  const service: ChildService = {
    child,
    output: () => output,
    call<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`fixture ${fixture} did not answer ${cmd} within ${timeoutMs} ms\n${output}`));
        }, timeoutMs);
        waiting.set(id, (message) => {
          clearTimeout(timer);
          if (typeof message.error === 'string') reject(new Error(`fixture ${fixture}: ${message.error}`));
          else resolve(message as T);
        });
        child.send({ id, cmd, ...args });
      });
    },
    async exited(timeoutMs: number) {
      const started = performance.now();
      if (child.exitCode !== null || child.signalCode !== null)
        return { code: child.exitCode, signal: child.signalCode, afterMs: 0 };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`fixture ${fixture} still runs after ${timeoutMs} ms\n${output}`)),
          timeoutMs,
        );
      });
      try {
        const [code, signal] = await Promise.race([exit, timeout]);
        return { code, signal, afterMs: performance.now() - started };
      } finally {
        clearTimeout(timer);
      }
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  const first = await Promise.race([
    ready,
    exit.then(([code]) => {
      throw new Error(`fixture ${fixture} exited with ${code} before it was ready\n${output}`);
    }),
  ]);
  return { service, ready: first };
}

/** The fixture side: answers each command with the handler's result (or its error message). */
export function serveCommands(handlers: Record<string, (args: Record<string, unknown>) => unknown>): void {
  process.on('message', (message: Record<string, unknown>) => {
    const handler = handlers[message.cmd as string];
    Promise.resolve()
      .then(() => {
        if (handler === undefined) throw new Error(`unknown command ${String(message.cmd)}`);
        return handler(message);
      })
      .then(
        (result) => process.send?.({ id: message.id, ...(result as object) }),
        (error: unknown) => process.send?.({ id: message.id, error: String((error as Error)?.stack ?? error) }),
      );
  });
}

/** Max lateness of a 10 ms interval timer since the last reset: the service's own work as a probe. */
export function startLoopProbe(): { maxLagMs(): number; reset(): void; stop(): void } {
  const periodMs = 10;
  let last = performance.now();
  let maxLag = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxLag = Math.max(maxLag, now - last - periodMs);
    last = now;
  }, periodMs);
  return {
    maxLagMs: () => maxLag,
    reset() {
      maxLag = 0;
      last = performance.now();
    },
    stop: () => clearInterval(timer),
  };
}

/** Heap used after a full GC (the child must run with --expose-gc), in bytes. */
export function settledHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** Open TCP sockets of this process (listening servers not included). */
export function openSockets(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;
}
