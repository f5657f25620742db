import { mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import pino, { type DestinationStream } from 'pino';
import { ObservabilityError } from '../errors.js';

/** A destination opened by {@link openDestination}, and whether pretty output could be honoured. */
export interface OpenedDestination {
  stream: DestinationStream;
  /** True when `pretty` was asked for but pino-pretty is not installed. */
  prettyUnavailable: boolean;
}

/**
 * Opens `logging.destination`: `stdout`, `stderr` or a file path (appended, parent directories
 * created). A file is opened here, synchronously, so that a bad path fails start-up with
 * `OBS_ERR_LOG_DESTINATION` instead of crashing the process later. Writes are asynchronous
 * (sonic-boom, `sync: false`) so logging never blocks the event loop; pino flushes what is
 * buffered on process exit, and closeLogger() flushes on shutdown. A write error later (disk full)
 * gives the destination up: further lines are dropped, stderr gets one `OBS_WARN_LOG_WRITE_FAILED`
 * line, and nothing throws into the service. With `pretty`, lines go through pino-pretty when it resolves.
 */
export function openDestination(destination: string, pretty: boolean): OpenedDestination {
  const fd = destination === 'stdout' ? 1 : destination === 'stderr' ? 2 : openLogFile(destination);
  const boom = pino.destination({ dest: fd, sync: false });
  boom.once('error', (error: NodeJS.ErrnoException) => giveUp(boom, destination, error));
  if (!pretty) return { stream: boom, prettyUnavailable: false };
  const prettyFactory = loadPinoPretty();
  if (prettyFactory === undefined) return { stream: boom, prettyUnavailable: true };
  return { stream: prettyFactory({ destination: boom, colorize: false }), prettyUnavailable: false };
}

// Like pino does for a broken pipe: a destination that failed a write is given up (further lines
// are dropped, no retry loop keeps the process alive), the file is closed, and stderr is told once.
function giveUp(boom: ReturnType<typeof pino.destination>, destination: string, error: NodeJS.ErrnoException): void {
  boom.on('error', () => undefined);
  const fd = (boom as unknown as { fd?: number }).fd;
  const noop = (): boolean => true;
  Object.assign(boom, { write: noop, flush: (cb?: () => void) => cb?.(), flushSync: noop, end: noop });
  if (fd !== 1 && fd !== 2) boom.destroy();
  process.stderr.write(
    `${JSON.stringify({ level: 'warn', code: 'OBS_WARN_LOG_WRITE_FAILED', destination, error: error.code ?? error.message, msg: 'log lines could not be written; this destination is given up and further lines are dropped' })}\n`,
  );
}

function openLogFile(path: string): number {
  try {
    mkdirSync(dirname(path), { recursive: true });
    return openSync(path, 'a');
  } catch (error) {
    throw new ObservabilityError('OBS_ERR_LOG_DESTINATION', 'The log file cannot be opened for appending.', {
      key: 'logging.destination',
      value: path,
      expected: '"stdout", "stderr" or a path to a file this process may create and append to',
      cause: error,
    });
  }
}

type PrettyFactory = (options: { destination: DestinationStream; colorize: boolean }) => DestinationStream;

function loadPinoPretty(): PrettyFactory | undefined {
  try {
    const required = createRequire(import.meta.url)('pino-pretty') as PrettyFactory | { default: PrettyFactory };
    return typeof required === 'function' ? required : required.default;
  } catch {
    return undefined;
  }
}
