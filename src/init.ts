import { context, ProxyTracerProvider, ROOT_CONTEXT, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import {
  loadConfig,
  loadConfigWithoutTracing,
  type ConfigWarning,
  type LoadConfigOptions,
  type ResolvedConfig,
} from './config/load.js';
import type { ObservabilityConfig } from './config/types.js';
import { ObservabilityError, isObservabilityError } from './errors.js';
import { closeLogger, createLogger } from './logging/index.js';
import { createMetrics, startMetricsServer, type Metrics, type MetricsServer } from './metrics/index.js';
import { lifecycle, setRuntime } from './runtime.js';
import { warn } from './warnings.js';
import { zeroHealth, type ObservabilityHealth } from './tracing/export-health.js';
import { registerSpanExportMetrics } from './tracing/export-metrics.js';
import { startTracing, TRACER_NAME, type Tracing } from './tracing/start-tracing.js';
import type { TracingExtensions } from './tracing/extensions.js';
import { registerTargetInfo } from './metrics/target-info.js';

/**
 * Options of {@link initObservability}; every field is optional. Besides the config options,
 * `instrumentations`, `spanProcessors` and `resourceDetectors` take what NodeSDK's options of the
 * same names take, added beside the package's own (see {@link TracingExtensions}).
 */
export type InitOptions = LoadConfigOptions & TracingExtensions;

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
  /** Spans exported, failed and dropped so far (what `grey_observability_spans_*` expose). */
  health(): ObservabilityHealth;
  /**
   * Flushes and closes everything within `shutdown_timeout_ms`. Safe to call more than once (later
   * calls return the first call's promise). Never rejects, never calls process.exit and installs no
   * signal handler: the service decides when to call it.
   */
  shutdown(): Promise<void>;
}

/** Least time each part gets to stop, even once the shutdown deadline has passed. */
const MIN_STOP_BUDGET_MS = 100;

/** The live handle, as any copy of the package started it (src/runtime.ts, one lifecycle slot). */
function liveHandle(): ObservabilityHandle | undefined {
  return lifecycle().handle as ObservabilityHandle | undefined;
}

/**
 * The live handle, or undefined before initObservability() resolved and after shutdown(). This is
 * how a service started with `node --import @grey/observability/register` reaches its logger,
 * metrics and shutdown().
 */
export function getObservability(): ObservabilityHandle | undefined {
  return liveHandle();
}

/**
 * Reads the one config file (options.configFile, else GREY_OBSERVABILITY_CONFIG, else
 * observability.yaml|.yml|.json in the working directory, else the built-in defaults) and starts
 * logging, the Prometheus endpoint and tracing.
 *
 * Rejects with an {@link ObservabilityError} on bad config or when a part cannot start; then nothing
 * stays started (no bound port, no global SDK). A standard `OTEL_*` variable that cannot be used is
 * no error (OpenTelemetry specification: warn and ignore the setting): its key keeps the value of
 * the file or the default, and `OBS_WARN_CONFIG_ENV_IGNORED` is logged through the new logger.
 *
 * When `node --import @grey/observability/register` already started observability (a platform
 * may inject it through NODE_OPTIONS), the call resolves with that live handle, whose config came
 * from the environment, and logs `OBS_WARN_ALREADY_INITIALIZED` once when `options` were given
 * (they are not applied). A second call after an earlier initObservability() of the service's own
 * code rejects with `OBS_ERR_ALREADY_INITIALIZED`, whose message says to use getObservability()
 * or to call `shutdown()` first (docs/config.md, "Lifecycle").
 */
export async function initObservability(options: InitOptions = {}): Promise<ObservabilityHandle> {
  const state = lifecycle();
  const live = liveHandle();
  if (!state.starting && state.startedByRegister && live !== undefined) {
    if (Object.keys(options).length > 0) {
      warn(live.logger, 'OBS_WARN_ALREADY_INITIALIZED', 'initObservability() options ignored', {
        message:
          'observability was started by --import @grey/observability/register, so initObservability() returned its live ' +
          'handle and its options were not applied; set them in the config file or environment instead',
        fields: { options: Object.keys(options) },
      });
    }
    return live;
  }
  return start(options, false);
}

/**
 * The start of `--import @grey/observability/register` (internal to register.ts): as
 * initObservability() with the config from the file and environment, except that telemetry that
 * can start does, whatever else fails. An invalid `opentelemetry` section (and nothing else
 * invalid) or tracing that cannot start (`OBS_ERR_TRACING_START`) leaves tracing off; a metrics
 * endpoint that cannot listen leaves it out; each with one error line in the service's log,
 * and the rest runs. Only a config invalid outside the `opentelemetry` section or a logger that
 * cannot start rejects (register.ts then prints the error and the service runs without telemetry).
 * The handle is marked as register's, so that a later initObservability() of the service returns it.
 *
 * @public Imported by src/register.ts through a dynamic `import()`.
 */
export async function startObservabilityForRegister(): Promise<ObservabilityHandle> {
  const handle = await start({}, true);
  lifecycle().startedByRegister = true;
  return handle;
}

/** One start; `whatCanStart` is register's mode (see {@link startObservabilityForRegister}). */
async function start(options: InitOptions, whatCanStart: boolean): Promise<ObservabilityHandle> {
  const state = lifecycle();
  if (state.starting || state.runtime !== undefined) {
    throw new ObservabilityError(
      'OBS_ERR_ALREADY_INITIALIZED',
      'initObservability() was already called and its handle is live; reach it with getObservability()',
      {
        expected:
          'one initObservability() per process: use the live handle (getObservability() returns it), or await handle.shutdown() before calling initObservability() again',
      },
    );
  }
  state.starting = true;
  const stops: Array<(timeoutMs: number) => Promise<void>> = [];
  try {
    await state.stopping;
    const { instrumentations, spanProcessors, resourceDetectors, ...loadOptions } = options;
    const { resolved, setAside } = whatCanStart
      ? loadConfigWithoutTracing(loadOptions)
      : { resolved: loadConfig(loadOptions) };
    const { config } = resolved;
    const logger = createLogger(config);
    stops.push(() => closeLogger(logger));
    logConfigWarnings(logger, resolved.warnings);
    if (setAside !== undefined) reportPartOff(logger, 'tracing', setAside);
    const metrics = createMetrics(config, logger);
    stops.push(async () => metrics.registry.clear());
    // One identity for spans and metrics: detected once, target_info carries it on /metrics.
    // Imported only now: importing the package loads no SDK module (docs/performance.md).
    const { detectResource } = await import('./tracing/resource.js');
    const resource = await detectResource(config, resourceDetectors);
    registerTargetInfo(metrics.registry, resource.attributes);
    // Tracing starts before the endpoint binds, so that a port in use also proves that the global
    // SDK registration is undone on failure.
    let tracing: Tracing;
    try {
      tracing = await startTracing(config, logger, { instrumentations, spanProcessors, resource });
    } catch (err) {
      if (!whatCanStart) throw err;
      reportPartOff(logger, 'tracing', err);
      tracing = await startWithoutTracing(config, logger);
    }
    const started = tracing;
    stops.push((timeoutMs) => started.shutdown(timeoutMs));
    registerSpanExportMetrics(metrics.registry, () => started.health());
    let server: MetricsServer | undefined;
    if (config.prometheus.enabled) {
      try {
        server = await startMetricsServer(config, metrics);
        const listening = server;
        stops.push(() => listening.close());
      } catch (err) {
        if (!whatCanStart) throw err;
        reportPartOff(logger, 'the Prometheus endpoint', err);
      }
    }

    setRuntime({ config, logger, tracer: tracing.tracer, metrics });
    const shutdown = once(() => {
      state.handle = undefined;
      state.startedByRegister = false;
      return (state.stopping = stopAll(stops, config.shutdown_timeout_ms));
    });
    const handle: ObservabilityHandle = {
      config,
      sources: resolved.sources,
      configFile: resolved.file,
      logger,
      metrics,
      tracer: tracing.tracer,
      metricsServer: server === undefined ? undefined : { url: server.url, port: server.port },
      health: () => tracing.health(),
      shutdown,
    };
    state.handle = handle;
    return handle;
  } catch (err) {
    await stopAll(stops, 2000);
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
    state.starting = false;
  }
}

/**
 * Marks the live handle as started by register.ts, so that a later initObservability() of the
 * service returns it (what {@link startObservabilityForRegister} does; kept for tests).
 */
export function markStartedByRegister(): void {
  const state = lifecycle();
  state.startedByRegister = state.handle !== undefined;
}

/**
 * Logs each ignored `OTEL_*` variable (OBS_WARN_CONFIG_ENV_IGNORED) through the service's logger,
 * once per variable.
 */
function logConfigWarnings(logger: Logger, warnings: readonly ConfigWarning[]): void {
  for (const warning of warnings) {
    warn(logger, warning.code, warning.variable, {
      message: warning.message,
      fields: { variable: warning.variable, key: warning.key, value: warning.value, expected: warning.expected },
    });
  }
}

/** The one error line of a part that register's start left off (the rest runs); never throws. */
function reportPartOff(logger: Logger, part: string, err: unknown): void {
  const error = isObservabilityError(err)
    ? err
    : new ObservabilityError(
        'OBS_ERR_INIT_FAILED',
        `${part} failed to start: ${(err as Error)?.message ?? String(err)}`,
      );
  try {
    context.with(ROOT_CONTEXT, () =>
      logger.error(
        {
          code: error.code,
          key: error.key,
          expected: error.expected,
          problems: 1 + error.others.length + error.omitted,
        },
        `${error.message}\n  ${part} is off; the rest of observability runs (--import @grey/observability/register)`,
      ),
    );
  } catch {
    // A logger that cannot write must not stop the rest from starting.
  }
}

/**
 * Tracing off after it failed to start: the context manager and propagator when they can be
 * registered (withTenant(), extract/inject keep working), else a tracer that records nothing.
 */
async function startWithoutTracing(config: ObservabilityConfig, logger: Logger): Promise<Tracing> {
  try {
    return await startTracing({ ...config, opentelemetry: { ...config.opentelemetry, enabled: false } }, logger);
  } catch {
    return {
      tracer: new ProxyTracerProvider().getTracer(TRACER_NAME),
      health: zeroHealth,
      shutdown: async () => undefined,
    };
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
async function stopAll(stops: Array<(timeoutMs: number) => Promise<void>>, timeoutMs: number): Promise<void> {
  setRuntime(undefined);
  const deadline = Date.now() + timeoutMs;
  const failures: string[] = [];
  // The logger is stopped last, after the others had a chance to log through it. A part that
  // overran the deadline does not rob the rest of their turn: each still gets a short minimum.
  for (const stop of [...stops].reverse()) {
    const remaining = Math.max(MIN_STOP_BUDGET_MS, deadline - Date.now());
    // A part is given `remaining` and bounds itself (tracing aborts what is still in flight when its
    // budget is spent); the backstop waits a little longer, so that a part that keeps its budget is
    // never abandoned half-way (its abort would then run after shutdown() resolved).
    const outcome = await settleWithin(
      Promise.resolve().then(() => stop(remaining)),
      remaining + MIN_STOP_BUDGET_MS,
    );
    if (outcome !== 'ok') failures.push(outcome);
  }
  if (failures.length > 0) {
    // The logger is closed by now: the warning goes to the process warning channel.
    const code = failures.includes('timeout') ? 'OBS_WARN_SHUTDOWN_TIMEOUT' : 'OBS_WARN_HOOK_FAILED';
    warn(undefined, code, 'shutdown', { message: `shutdown: ${failures.join('; ')}` });
  }
}

async function settleWithin(work: Promise<void>, timeoutMs: number): Promise<'ok' | 'timeout' | string> {
  let timer: NodeJS.Timeout | undefined;
  // Not unref'd: while shutdown runs (from 'beforeExit' too) this timer holds the event loop so the
  // last export can finish within the budget; it is cleared as soon as the part stopped.
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([work.then(() => 'ok' as const), timeout]);
  } catch (err) {
    return `error: ${(err as Error)?.message ?? String(err)}`;
  } finally {
    clearTimeout(timer);
  }
}
