import { createRequire } from 'node:module';
import pino, { type DestinationStream } from 'pino';

/** A destination opened by {@link openDestination}, and whether pretty output could be honoured. */
export interface OpenedDestination {
  stream: DestinationStream;
  /** True when `pretty` was asked for but pino-pretty is not installed. */
  prettyUnavailable: boolean;
}

/**
 * Opens `logging.destination`: `stdout`, `stderr` or a file path (appended, parent directories
 * created). Writes are asynchronous (sonic-boom, `sync: false`) so logging never blocks the event
 * loop; pino flushes what is buffered on process exit, and {@link closeLogger} flushes on shutdown.
 * With `pretty`, lines go through pino-pretty when it can be resolved from this package.
 */
export function openDestination(destination: string, pretty: boolean): OpenedDestination {
  const target = destination === 'stdout' ? 1 : destination === 'stderr' ? 2 : destination;
  const boom = pino.destination({ dest: target, sync: false, mkdir: typeof target === 'string', append: true });
  if (!pretty) return { stream: boom, prettyUnavailable: false };
  const prettyFactory = loadPinoPretty();
  if (prettyFactory === undefined) return { stream: boom, prettyUnavailable: true };
  return { stream: prettyFactory({ destination: boom, colorize: false }), prettyUnavailable: false };
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
