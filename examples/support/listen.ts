/**
 * Start-up helpers shared by the examples: a port that is taken, or observability that cannot
 * start, ends the example with one clear line on stderr and exit code 1, never an unhandled
 * EADDRINUSE stack.
 */
import type { Server } from 'node:http';
import { isObservabilityError } from '@grey/observability';

/** Prints why observability did not start and how to fix it, then exits with code 1. */
export function exitOnStartError(err: unknown): never {
  const what = isObservabilityError(err) ? err.message : String(err);
  process.stderr.write(`example: observability did not start.\n  ${what.replace(/\n/g, '\n  ')}\n`);
  process.exit(1);
}

/**
 * Listens on 127.0.0.1 at the port in the environment variable `portVariable` (else
 * `defaultPort`; 0 picks a free port) and resolves with the bound port. A port in use or
 * forbidden ends the process with a message that names the variable to change.
 */
export function listenOrExit(server: Server, portVariable: string, defaultPort: number): Promise<number> {
  const port = Number(process.env[portVariable] ?? defaultPort);
  return new Promise((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'EADDRINUSE'
          ? `port ${port} on 127.0.0.1 is already in use by another process`
          : `cannot listen on 127.0.0.1:${port} (${err.code ?? err.message})`;
      process.stderr.write(
        `example: ${why}.\n  Set ${portVariable} to another port (0 picks a free one), e.g. ${portVariable}=${port === 0 ? 3001 : port + 1}.\n`,
      );
      process.exit(1);
    });
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}
