import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { loadConfig, type LoadConfigOptions, type ResolvedConfig } from './config/load.js';
import type { ObservabilityConfig } from './config/types.js';
import { ObservabilityError, isObservabilityError } from './errors.js';
import { closeLogger, createLogger } from './logging/index.js';
import { createMetrics, startMetricsServer, type Metrics, type MetricsServer } from './metrics/index.js';
import { getRuntime, setRuntime } from './runtime.js';
import { startTracing, type Tracing } from './tracing/start-tracing.js';

/** Options of {@link initObservability}; every field is optional. */
export type InitOptions = LoadConfigOptions;

/** What {@link initObservability} returns: the live parts and the one way to stop them. */
export interface ObservabilityHandle {
  /** The resolved config (secrets included: do not log it; `check-config` prints it redacted). */
  readonly config: ObservabilityConfig;
  /** Where each config value came from (default, file, env, override). */
  readonly sources: ResolvedConfig['sources'];
  /** The config file used, or undefined for the built-in defaults. */
  readonly configFile: string | undefined;
  /** The service's pino logger, correlated with the active trace. */
  readonly logger: Logger;
  /** The spec's metric catalog, tenant-aware helpers and custom metric registration. */
  readonly metrics: Metrics;
  /** An OpenTelemetry tracer named after the service. */
  readonly tracer: Tracer;
  /** The Prometheus endpoint, when `prometheus.enabled`. */
  readonly metricsServer: { readonly url: string; readonly port: number } | undefined;
  /**
   * Flushes and closes everything within `shutdown_timeout_ms`. Safe to call more than once (later
   * calls return the first call's promise). Never rejects, never calls process.exit and installs no
   * signal handler: the service decides when to call it.
   */
  shutdown(): Promise<void>;
}

/** Least time each part gets to stop, even once the shutdown deadline has passed. */
const MIN_STOP_BUDGET_MS = 100;

let starting = false;
let liveHandle: ObservabilityHandle | undefined;

/**
 * The live handle, or undefined before initObservability() resolved and after shutdown(). This is
 * how a service started with `node --import @grey/observability/register` reaches its logger,
 * metrics and shutdown().
 */
export function getObservability(): ObservabilityHandle | undefined {
  return liveHandle;
}

/**
 * Reads the one config file (options.configFile, else GREY_OBSERVABILITY_CONFIG, else
 * observability.yaml|.yml|.json in the working directory, else the built-in defaults) and starts
 * logging, the Prometheus endpoint and tracing.
 *
 * Rejects with an {@link ObservabilityError} on bad config or when a part cannot start; then nothing
 * stays started (no bound port, no global SDK). A second call while a handle is live rejects with
 * `OBS_ERR_ALREADY_INITIALIZED`: call `shutdown()` first.
 */
export async function initObservability(options: InitOptions = {}): Promise<ObservabilityHandle> {
  if (starting || getRuntime() !== undefined) {
    throw new ObservabilityError(
      'OBS_ERR_ALREADY_INITIALIZED',
      'initObservability() was already called and its handle is live',
      {
        expected:
          'one initObservability() per process: reuse the first handle, or await handle.shutdown() before calling it again',
      },
    );
  }
  starting = true;
  const stops: Array<(timeoutMs: number) => Promise<void>> = [];
  try {
    const resolved = loadConfig(options);
    const { config } = resolved;
    const logger = createLogger(config);
    stops.push(() => closeLogger(logger));
    const metrics = createMetrics(config, logger);
    stops.push(async () => metrics.registry.clear());
    // Tracing starts before the endpoint binds, so that a port in use also proves that the global
    // SDK registration is undone on failure.
    const tracing: Tracing = await startTracing(config, logger);
    stops.push((timeoutMs) => tracing.shutdown(timeoutMs));
    let server: MetricsServer | undefined;
    if (config.prometheus.enabled) {
      server = await startMetricsServer(config, metrics);
      const started = server;
      stops.push(() => started.close());
    }

    setRuntime({ config, logger, tracer: tracing.tracer, metrics });
    const shutdown = once(() => {
      liveHandle = undefined;
      return stopAll(stops, config.shutdown_timeout_ms, logger);
    });
    liveHandle = {
      config,
      sources: resolved.sources,
      configFile: resolved.file,
      logger,
      metrics,
      tracer: tracing.tracer,
      metricsServer: server === undefined ? undefined : { url: server.url, port: server.port },
      shutdown,
    };
    return liveHandle;
  } catch (err) {
    await stopAll(stops, 2000, undefined);
    if (isObservabilityError(err)) throw err;
    throw new ObservabilityError(
      'OBS_ERR_INIT_FAILED',
      `a part failed to start: ${(err as Error)?.message ?? String(err)}`,
      {
        cause: err,
        expected: 'see the cause; everything started before it was stopped again',
      },
    );
  } finally {
    starting = false;
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= fn());
}

/**
 * Stops the parts in reverse start order within `timeoutMs` in all. A part that fails or hangs is
 * reported and abandoned; shutdown itself always resolves.
 */
async function stopAll(
  stops: Array<(timeoutMs: number) => Promise<void>>,
  timeoutMs: number,
  logger: Logger | undefined,
): Promise<void> {
  setRuntime(undefined);
  const deadline = Date.now() + timeoutMs;
  const failures: string[] = [];
  // The logger is stopped last, after the others had a chance to log through it. A part that
  // overran the deadline does not rob the rest of their turn: each still gets a short minimum.
  for (const stop of [...stops].reverse()) {
    const remaining = Math.max(MIN_STOP_BUDGET_MS, deadline - Date.now());
    const outcome = await settleWithin(
      Promise.resolve().then(() => stop(remaining)),
      remaining,
    );
    if (outcome !== 'ok') failures.push(outcome);
  }
  if (failures.length > 0 && logger !== undefined) {
    const code = failures.includes('timeout') ? 'OBS_WARN_SHUTDOWN_TIMEOUT' : 'OBS_WARN_HOOK_FAILED';
    process.emitWarning(`@grey/observability shutdown: ${failures.join('; ')}`, { code });
  }
}

async function settleWithin(work: Promise<void>, timeoutMs: number): Promise<'ok' | 'timeout' | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([work.then(() => 'ok' as const), timeout]);
  } catch (err) {
    return `error: ${(err as Error)?.message ?? String(err)}`;
  } finally {
    clearTimeout(timer);
  }
}
