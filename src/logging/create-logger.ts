import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { ObservabilityConfig } from '../config/types.js';
import { openDestination } from './destination.js';
import { secretNameMatcherFor } from '../secrets/index.js';
import {
  assertRedactPaths,
  createErrSerializer,
  createLineScrubber,
  createRedactCensor,
  redactionPaths,
  secretValues,
} from './redaction.js';
import { createTraceMixin } from './trace-mixin.js';
import { watchBindings } from './logger-bindings.js';
import { createOneKeyPerField } from './one-key-per-field.js';
import { warn } from '../warnings.js';

/** Options of {@link createLogger} that are not part of the config file. */
export interface CreateLoggerOptions {
  /**
   * Write to this stream instead of opening `logging.destination` (tests, custom sinks). The
   * caller keeps ownership: {@link closeLogger} flushes it but does not end it.
   */
  stream?: DestinationStream;
}

/** Longest wait of closeLogger() for a file destination to close. */
const CLOSE_TIMEOUT_MS = 2000;

// The stream each logger of this module and each of its children writes to (pino's onChild), and
// whether this module opened it: closeLogger() ends only those, flushLoggerSync() flushes any.
const streams = new WeakMap<object, { stream: FlushableStream; owned: boolean }>();

/**
 * Creates the service's pino logger from the `logging` and `service` sections of the config.
 *
 * Every line is one JSON object with `level` (label), `time` (epoch ms), `msg`, the service
 * identity (`service`, `version`, `environment`, `instance_id`, each only when set, plus `pid`
 * and `hostname`), and from the active OpenTelemetry context `trace_id`, `span_id`, `trace_flags`
 * and `tenant_id`. Secrets are censored (src/logging/redaction.ts): every key the one list of
 * secret names matches (src/secrets: password, apiKey, api_key, clientSecret, accessToken,
 * refresh_token, x-api-key, authorization, cookie ..., plus the keys `logging.redact` paths end in
 * and the exporter header names) in the call's fields, in child bindings and in logged errors,
 * nested up to six levels; request/response headers as pino-http serializes them; the config's
 * secret sections and the `logging.redact` paths; and in the finished line the config's secret
 * values (Prometheus token/password, exporter header values, URL credentials) and the user name,
 * password and secret query parameters of every URL. Child loggers keep all of this. Logged errors
 * are serialized as pino.stdSerializers.err does, without consuming their call sites (so Node's
 * report of an unhandled rejection still points at the service's line).
 *
 * Each field appears once per line. When a name is set in more than one place, the log call's own
 * object wins, then the active context (trace and tenant fields, `@Instrument` fields), then child
 * bindings (inner over outer), then the service identity (docs/logging.md, "One key per field").
 */
export function createLogger(config: ObservabilityConfig, options: CreateLoggerOptions = {}): Logger {
  const { logging, service } = config;
  assertRedactPaths(logging.redact);
  let stream = options.stream;
  let prettyUnavailable = false;
  if (stream === undefined) {
    const opened = openDestination(logging.destination, logging.pretty);
    stream = opened.stream;
    prettyUnavailable = opened.prettyUnavailable;
  }
  const isSecret = secretNameMatcherFor(config);
  const base = serviceIdentity(service);
  const oneKey = createOneKeyPerField(createTraceMixin(), isSecret);
  const scrubLine = createLineScrubber(secretValues(config), isSecret);
  const destination = { stream: stream as FlushableStream, owned: options.stream === undefined };
  const pinoOptions: LoggerOptions = {
    level: logging.level,
    base,
    messageKey: 'msg',
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: redactionPaths(logging.redact), censor: createRedactCensor(isSecret, logging.redact) },
    serializers: { err: createErrSerializer(isSecret) },
    hooks: {
      // No pino mixin: the context fields are written as the bindings of a child (context-child.ts).
      logMethod: oneKey.logMethod,
      streamWrite: (line) => scrubLine(oneKey.streamWrite(line)),
    },
    onChild: (child: Logger) => void streams.set(child, destination),
  };
  const logger = pino(pinoOptions, stream);
  streams.set(logger, destination);
  watchBindings(logger, base, isSecret);
  if (prettyUnavailable) {
    warn(logger, 'OBS_WARN_PRETTY_UNAVAILABLE', 'logging.pretty', {
      message: 'logging.pretty is true but pino-pretty is not installed; writing JSON lines (npm install pino-pretty)',
      fields: { key: 'logging.pretty' },
    });
  }
  return logger;
}

function serviceIdentity(service: ObservabilityConfig['service']): Record<string, string | number> {
  const base: Record<string, string | number> = { service: service.name };
  if (service.version !== '') base.version = service.version;
  if (service.environment !== '') base.environment = service.environment;
  if (service.instance_id !== '') base.instance_id = service.instance_id;
  base.pid = process.pid;
  base.hostname = hostname();
  return base;
}

interface FlushableStream {
  flush?: (cb?: (err?: Error | null) => void) => void;
  flushSync?: () => void;
  end?: () => void;
  once?: (event: string, listener: (...args: unknown[]) => void) => void;
  fd?: number;
  destroyed?: boolean;
}

/**
 * Flushes what `logger` (or any child of it) has buffered and, when {@link createLogger} opened a
 * file for it, closes that file. stdout and stderr are flushed, never closed. Resolves once the
 * bytes are handed to the OS; never rejects (a flush error is ignored, as logging must not fail a
 * shutdown).
 */
export async function closeLogger(logger: Logger): Promise<void> {
  const found = streams.get(logger);
  const stream = found?.owned === true ? found.stream : undefined;
  if (stream?.destroyed === true || (stream !== undefined && closing.has(stream))) return;
  if (
    stream !== undefined &&
    stream.fd !== 1 &&
    stream.fd !== 2 &&
    typeof stream.end === 'function' &&
    typeof stream.once === 'function'
  ) {
    closing.add(stream);
    await new Promise<void>((resolve) => {
      // A pretty-printing stream may emit only 'finish'; the timer bounds a stream that emits neither.
      const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      timer.unref();
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      stream.once!('close', done);
      stream.once!('finish', done);
      stream.once!('error', done);
      stream.end!();
    });
    return;
  }
  await new Promise<void>((resolve) => {
    try {
      logger.flush(() => resolve());
    } catch {
      resolve();
    }
  });
}

// Owned streams closeLogger() has ended (or is ending): a second call returns at once.
const closing = new WeakSet<object>();

/**
 * Writes out, synchronously, what the destination of `logger` (made by {@link createLogger}, or a
 * child of it) still buffers: sonic-boom's `flushSync()`, for the last lines before a signal ends
 * the process. Streams without `flushSync` are left as they are. Never throws (a closed or not yet
 * opened destination has nothing more to write).
 */
export function flushLoggerSync(logger: object | undefined): void {
  if (logger === undefined) return;
  try {
    streams.get(logger)?.stream.flushSync?.();
  } catch {
    // Nothing more can be written.
  }
}
