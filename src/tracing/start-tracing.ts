import { syncBuiltinESMExports } from 'node:module';
import { context, ProxyTracerProvider, ROOT_CONTEXT, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import { collectSecrets } from '../config/redact.js';
import { scrubSecretText } from '../secrets/index.js';
import type { ObservabilityConfig } from '../config/types.js';
import { ObservabilityError } from '../errors.js';
import { ExportHealth, zeroHealth, type ObservabilityHealth } from './export-health.js';
import { loadExporterModules } from './exporter.js';
import {
  claimContextManager,
  claimPropagator,
  isTracerProviderRegistered,
  noClaims,
  releaseGlobals,
  type GlobalClaims,
} from './globals.js';
import { buildInstrumentations, patchLoadedBuiltins } from './instrumentations.js';
import { markServerEmitRethrow } from './server-emit-rethrow.js';
import { warn } from '../warnings.js';
import { SwitchableTracer } from './switchable-tracer.js';
import type { Resource } from '@opentelemetry/resources';
import { flattenInstrumentations, type TracingExtensions } from './extensions.js';

/** What initObservability() adds to the config's tracing: NodeSDK's options and the detected resource. */
export interface StartExtensions extends TracingExtensions {
  /** The resource detected once at start (see detectResource()); detected here when absent. */
  resource?: Resource;
}

/** Instrumentation scope name of the spans this package creates. */
export const TRACER_NAME = '@grey/observability';

/** The running tracing part; see {@link startTracing}. */
export interface Tracing {
  /** Tracer for the service's own spans (a no-op tracer when `opentelemetry.enabled` is false). */
  tracer: Tracer;
  /**
   * Exports the finished spans, stops the SDK and the instrumentations and unregisters every
   * OpenTelemetry global that startTracing() registered. Resolves within `timeoutMs`
   * milliseconds even when the collector hangs (what is left, in flight or queued, is abandoned,
   * logged as OBS_WARN_SHUTDOWN_TIMEOUT and counted in health() as failed with reason `shutdown`
   * by the time it resolves). Never rejects; a second call does nothing.
   */
  shutdown(timeoutMs: number): Promise<void>;
  /** Spans exported and lost so far, by reason (all zero when tracing is disabled). */
  health(): ObservabilityHealth;
}

/**
 * Starts tracing from `config.opentelemetry` through one SDK registration: OTLP exporter
 * (grpc or http/protobuf), bounded batch processor, sampler with always-sample rules and error
 * capture, resource, propagators, the AsyncLocalStorage context manager and the http/fetch
 * instrumentations. The config is the only source: the SDK's own `OTEL_*` reading is switched off
 * (see isolated-env.ts). When `opentelemetry.enabled` is false only the context manager and the
 * propagator are registered (so withTenant(), baggage and extract/inject work) and the tracer is
 * a no-op. Export failures never reach the service: they are counted and logged once.
 *
 * @throws ObservabilityError `OBS_ERR_TRACING_START` when the SDK cannot start (for instance
 *   another OpenTelemetry SDK already registered the globals); nothing stays registered then.
 */
export async function startTracing(
  config: ObservabilityConfig,
  logger: Logger,
  extensions: StartExtensions = {},
): Promise<Tracing> {
  const otel = config.opentelemetry;
  const claims = noClaims();
  let instrumentations: Instrumentation[] = [];
  let provider: TracerProvider | undefined;
  let abortExports = (): void => undefined;
  try {
    const { buildPropagator } = await import('./build-propagator.js');
    const ownContext = claimContextManager(new AsyncLocalStorageContextManager(), claims);
    const ownPropagator = claimPropagator(buildPropagator(otel.propagation), claims);
    if (!otel.enabled) return startDisabled(claims, ownContext && ownPropagator, logger);
    if (!ownContext) throw alreadyRegistered('context manager');
    if (!ownPropagator) throw alreadyRegistered('propagator');
    if (isTracerProviderRegistered()) throw alreadyRegistered('tracer provider');

    // Only the SDK, the chosen exporter and the enabled instrumentations are loaded, and only
    // now (docs/performance.md).
    const [{ createTracerProvider }, exporterModules, enabledInstrumentations] = await Promise.all([
      import('./tracer-provider.js'),
      loadExporterModules(otel.exporter.protocol),
      buildInstrumentations(config, flattenInstrumentations(extensions)),
    ]);
    instrumentations = enabledInstrumentations;
    const health = new ExportHealth(logger);
    // Issue 20: the resource detected once by init.ts (also target_info's), and the code's processors.
    const resource =
      extensions.resource ??
      (await (await import('./resource.js')).detectResource(config, extensions.resourceDetectors));
    const built = createTracerProvider(config, exporterModules, health, resource, extensions.spanProcessors);
    provider = built.provider;
    abortExports = built.abortExports;
    if (!trace.setGlobalTracerProvider(built.global)) throw alreadyRegistered('tracer provider');
    claims.trace = true;
    await enableInstrumentations(instrumentations);
    let unmarkServerEmit = (): void => undefined;
    if (otel.instrumentations.http) {
      patchLoadedBuiltins();
      unmarkServerEmit = markServerEmitRethrow();
    }
    return startedTracing(
      provider,
      built.drainExports,
      abortExports,
      instrumentations,
      health,
      claims,
      logger,
      unmarkServerEmit,
    );
  } catch (err) {
    for (const instrumentation of instrumentations) instrumentation.disable();
    if (instrumentations.length > 0) syncBuiltinESMExports();
    provider?.shutdown().catch(() => undefined);
    abortExports();
    releaseGlobals(claims);
    if (err instanceof ObservabilityError) throw err;
    // Third-party messages may quote a header value: scrub every config secret, keep no raw cause.
    let reason = err instanceof Error ? err.message : String(err);
    reason = scrubSecretText(reason, collectSecrets(config));
    throw new ObservabilityError('OBS_ERR_TRACING_START', `the OpenTelemetry SDK could not be started: ${reason}`, {
      key: 'opentelemetry',
      expected:
        'an opentelemetry section the SDK accepts (exporter endpoint, protocol) and no other SDK in the process',
    });
  }
}

/** What registerInstrumentations() does; @opentelemetry/instrumentation is already loaded when any is on. */
async function enableInstrumentations(instrumentations: Instrumentation[]): Promise<void> {
  if (instrumentations.length === 0) return;
  const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
  registerInstrumentations({ instrumentations });
}

function startedTracing(
  provider: TracerProvider,
  drainExports: () => void,
  abortExports: () => void,
  instrumentations: Instrumentation[],
  health: ExportHealth,
  claims: GlobalClaims,
  logger: Logger,
  unmarkServerEmit: () => void,
): Tracing {
  let stopped = false;
  const tracer = new SwitchableTracer(trace.getTracer(TRACER_NAME), TRACER_NAME);
  return {
    tracer,
    health: () => health.health(),
    async shutdown(timeoutMs: number): Promise<void> {
      if (stopped) return;
      stopped = true;
      tracer.switchOff();
      // The last exports get one attempt each: no backoff waits for a collector that is down.
      drainExports();
      const finished = await settleWithin(provider.shutdown(), timeoutMs);
      if (!finished) {
        warn(logger, 'OBS_WARN_SHUTDOWN_TIMEOUT', 'tracing', {
          message: 'tracing shutdown timed out; unexported spans were abandoned',
          fields: { timeout_ms: timeoutMs },
        });
      }
      // Whatever is still in flight (a collector that accepts and never answers) or still queued is
      // abandoned now: once shutdown() resolves nothing of the exporter holds the event loop, and
      // every abandoned span is counted (reason "shutdown") before the summary line and health().
      abortExports();
      health.abandonOutstanding();
      unmarkServerEmit();
      for (const instrumentation of instrumentations) instrumentation.disable();
      if (instrumentations.length > 0) syncBuiltinESMExports();
      health.logSummary();
      releaseGlobals(claims);
    },
  };
}

function startDisabled(claims: GlobalClaims, ownGlobals: boolean, logger: Logger): Tracing {
  if (!ownGlobals) {
    // Another OpenTelemetry setup owns the globals: tracing is off here, so use theirs.
    safeDebug(
      logger,
      'tracing disabled; another OpenTelemetry context manager or propagator is already registered and kept',
    );
  }
  let stopped = false;
  return {
    // A provider of our own with no delegate: a no-op tracer that never picks up another SDK.
    tracer: new ProxyTracerProvider().getTracer(TRACER_NAME),
    health: zeroHealth,
    async shutdown(): Promise<void> {
      if (stopped) return;
      stopped = true;
      releaseGlobals(claims);
    },
  };
}

/** Resolves true when `work` settles within `timeoutMs`, false otherwise; never rejects. */
async function settleWithin(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function alreadyRegistered(what: string): ObservabilityError {
  return new ObservabilityError(
    'OBS_ERR_TRACING_START',
    `another OpenTelemetry ${what} is already registered globally`,
    {
      key: 'opentelemetry.enabled',
      value: true,
      expected:
        'one OpenTelemetry SDK per process: shut the other SDK down first, or set opentelemetry.enabled=false to keep using it',
    },
  );
}

function safeDebug(logger: Logger, message: string): void {
  try {
    context.with(ROOT_CONTEXT, () => logger.debug(message));
  } catch {
    // Logging must not turn start-up into a failure.
  }
}
